#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The width the help is wrapped to: ArgumentParser reads `COLUMNS`, else the terminal's, and
/// stops the process with a fatal error below its indent (28): `COLUMNS=20 credit-recon --help`
/// ended in a backtrace and exit 132 (probe 278). A narrower width, or none that is a width
/// (0, negative), is read as 40.
enum HelpWidth {
    static let narrowest = 40

    static func keepReadable() {
        if let text = getenv("COLUMNS").map({ String(cString: $0) }), let columns = Int(text) {
            if columns < narrowest { setenv("COLUMNS", String(narrowest), 1) }
            return
        }
        var size = winsize()
        if ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0, Int(size.ws_col) < narrowest {
            setenv("COLUMNS", String(narrowest), 1)
        }
    }
}
