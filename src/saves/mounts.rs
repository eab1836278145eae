//! Where native file events go missing, so that the watcher must poll: a Windows
//! drive seen from WSL, and network file systems (read from /proc/self/mountinfo).

use std::fs;
use std::path::{Component, Path, PathBuf};

/// File system types whose files can change without the kernel here sending events
/// (another machine writes them), as `/proc/self/mountinfo` names them.
const NETWORK_FILE_SYSTEMS: &[&str] = &[
    "nfs",
    "nfs4",
    "cifs",
    "smb3",
    "smbfs",
    "9p",
    "drvfs",
    "fuse.sshfs",
    "fuse.rclone",
    "davfs",
    "afs",
];

/// Why native events would miss saves in `dir`, if they would.
pub(super) fn polling_reason(dir: &Path) -> Option<String> {
    if !cfg!(target_os = "linux") {
        return None;
    }
    let mountinfo = fs::read_to_string("/proc/self/mountinfo").ok();
    polling_reason_in(dir, is_wsl(), mountinfo.as_deref())
}

/// [`polling_reason`] for a given system: whether it is WSL, and its mount table.
pub(super) fn polling_reason_in(dir: &Path, wsl: bool, mountinfo: Option<&str>) -> Option<String> {
    if wsl && let Some(drive) = windows_drive(dir) {
        return Some(format!(
            "the workbook is on the Windows drive /mnt/{drive}, where WSL misses saves made by Windows editors; watching by polling (move it under your Linux home folder for instant checks)"
        ));
    }
    let fs_type = mount_fs_type(mountinfo?, dir)?;
    NETWORK_FILE_SYSTEMS.contains(&fs_type.as_str()).then(|| {
        format!("the workbook is on a network file system ({fs_type}); watching by polling")
    })
}

fn is_wsl() -> bool {
    Path::new("/proc/sys/fs/binfmt_misc/WSLInterop").exists()
        || fs::read_to_string("/proc/version")
            .is_ok_and(|version| version.to_ascii_lowercase().contains("microsoft"))
}

/// The drive letter if `path` is under `/mnt/<letter>`, where WSL mounts Windows drives.
fn windows_drive(path: &Path) -> Option<char> {
    let mut components = path.components();
    if components.next()? != Component::RootDir
        || components.next()? != Component::Normal("mnt".as_ref())
    {
        return None;
    }
    let Component::Normal(letter) = components.next()? else {
        return None;
    };
    let mut chars = letter.to_str()?.chars();
    match (chars.next(), chars.next()) {
        (Some(drive), None) if drive.is_ascii_lowercase() => Some(drive),
        _ => None,
    }
}

/// The type of the file system that holds `path`, from `/proc/self/mountinfo` text:
/// the deepest mount point containing it, the later line winning (it is mounted over).
pub(super) fn mount_fs_type(mountinfo: &str, path: &Path) -> Option<String> {
    let mut best: Option<(usize, &str)> = None;
    for line in mountinfo.lines() {
        // `id parent major:minor root mount-point options [optional...] - type source super`
        let Some(mount_point) = line.split(' ').nth(4) else {
            continue;
        };
        let Some(fs_type) = line
            .split_once(" - ")
            .and_then(|(_, rest)| rest.split(' ').next())
        else {
            continue;
        };
        let mount_point = PathBuf::from(unescape_octal(mount_point));
        if path.starts_with(&mount_point) {
            let depth = mount_point.components().count();
            if best.is_none_or(|(deepest, _)| depth >= deepest) {
                best = Some((depth, fs_type));
            }
        }
    }
    best.map(|(_, fs_type)| fs_type.to_owned())
}

/// Undoes mountinfo's escapes (`\040` for a space, `\134` for a backslash, ...).
fn unescape_octal(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let digits = bytes.get(i + 1..i + 4);
        match digits {
            Some(digits)
                if bytes[i] == b'\\' && digits.iter().all(|d| (b'0'..=b'7').contains(d)) =>
            {
                let value = digits
                    .iter()
                    .fold(0u32, |value, d| value * 8 + u32::from(d - b'0'));
                out.push(u8::try_from(value).unwrap_or(b'?'));
                i += 4;
            }
            _ => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}
