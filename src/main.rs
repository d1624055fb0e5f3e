fn main() -> std::process::ExitCode {
    lyncsim::cli::main()
}
