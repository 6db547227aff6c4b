use std::process::Command;

#[test]
fn cli_prints_version() {
    let bin = env!("CARGO_BIN_EXE_reportgen");
    let output = Command::new("bash")
        .args(["-c", &format!("{bin} --version | head -n 1")])
        .output()
        .expect("run reportgen");
    let line = String::from_utf8(output.stdout).unwrap();
    assert!(line.starts_with("reportgen "));
}

#[test]
fn cli_rejects_unknown_flag() {
    let bin = env!("CARGO_BIN_EXE_reportgen");
    let status = Command::new(bin).arg("--bogus").status().unwrap();
    assert!(!status.success());
}
