import Foundation

/// Training progress for the samples: on a terminal, one line redrawn in
/// place (`\r`) with a bar; in a pipe or a log file, a plain line every
/// `plainInterval` steps, so logs stay short and diffable.
public struct ProgressBar {
  /// The number of steps in the run.
  public let total: Int
  /// Without a terminal, print a line every this many steps (and at the
  /// last); 0 prints none (for a sample whose own lines are its progress).
  public let plainInterval: Int
  /// Whether standard output is a terminal.
  public let isTerminal: Bool
  /// The bar's width in characters.
  public let width = 30

  /// A bar over `total` steps; `plainInterval` of nil means about ten plain lines per run.
  public init(total: Int, plainInterval: Int? = nil, isTerminal: Bool = isatty(STDOUT_FILENO) != 0) {
    self.total = max(total, 1)
    self.plainInterval = plainInterval ?? max(1, total / 10)
    self.isTerminal = isTerminal
  }

  /// Shows that step `step` (0-based) is done, with `status` such as "loss 0.1234".
  public func update(step: Int, _ status: String) {
    guard isTerminal else {
      if plainInterval > 0 && (step % plainInterval == 0 || step == total - 1) { print("step \(step) \(status)") }
      return
    }
    let filled = min(width, (step + 1) * width / total)
    let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
    print("\r\u{1B}[2K[\(bar)] \(step + 1)/\(total) \(status)", terminator: "")
    fflush(nil)
  }

  /// Prints `line` for good: above the bar on a terminal (the bar is
  /// redrawn at the next ``update(step:_:)``), as is otherwise.
  public func log(_ line: String) {
    if isTerminal { print("\r\u{1B}[2K", terminator: "") }
    print(line)
  }

  /// Ends the redrawn line, so what follows starts on a line of its own.
  public func finish() {
    if isTerminal { print() }
  }
}

/// `value` with `digits` decimals: `format(0.12345, 3)` is "0.123".
public func format(_ value: Float, _ digits: Int) -> String {
  String(format: "%.\(digits)f", Double(value))
}

/// Milliseconds in `duration`.
public func milliseconds(_ duration: Duration) -> Double {
  Double(duration.components.seconds) * 1e3 + Double(duration.components.attoseconds) / 1e15
}
