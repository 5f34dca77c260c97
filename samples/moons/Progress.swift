import Foundation

/// Reports training progress: one redrawn line with a bar on a terminal,
/// one plain line per step otherwise (a pipe or a log file).
struct Progress {
  let total: Int
  /// Print losses with every digit (`Float.description`), for comparing runs.
  var exact = false
  let isTerminal = isatty(STDOUT_FILENO) != 0
  let width = 30

  /// Shows step `step` (0-based) with its loss and accuracy.
  func update(step: Int, loss: Float, accuracy: Float) {
    let numbers = "loss \(exact ? loss.description : format(loss, 4)), accuracy \(format(accuracy * 100, 0))%"
    guard isTerminal else {
      print("step \(step) \(numbers)")
      return
    }
    let filled = (step + 1) * width / total
    let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
    print("\r\u{1B}[2K[\(bar)] step \(step + 1)/\(total) \(numbers)", terminator: "")
    fflush(nil)
  }

  /// Ends the redrawn line.
  func finish() {
    if isTerminal { print() }
  }
}

/// `value` with `digits` decimals.
func format(_ value: Float, _ digits: Int) -> String {
  String(format: "%.\(digits)f", Double(value))
}
