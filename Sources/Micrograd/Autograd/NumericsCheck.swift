import Synchronization

/// Checking every computed value for NaN and infinity: PyTorch's anomaly
/// detection (`torch.autograd.detect_anomaly`), for eager ops and compiled
/// programs alike.
///
/// Turn it on for the whole program with ``isEnabled`` (PyTorch's
/// `set_detect_anomaly(True)`), for a scope with ``withCheckNumerics(_:)``,
/// or for one compiled function or training step with its own
/// `checkNumerics` property.
///
/// - An eager op whose output holds a non-finite value stops the program
///   (like a shape error) with the op, the first bad element and the user's
///   file:line; in a backward pass the message names the op whose backward
///   rule made it.
/// - A compiled run throws ``CompileError/nonFinite(_:)`` naming the
///   instruction as printed, its line in the program's IR text and the
///   user's file:line. Inputs and bound weights are checked before the
///   first instruction runs.
///
/// Off, it costs one flag read per eager op and one per compiled run: the
/// interpreter's loop is the same loop as without it.
public enum NumericsCheck {
  private static let globalFlag = Atomic<Bool>(false)

  /// Whether every op and compiled run in the process is checked.
  public static var isEnabled: Bool {
    get { globalFlag.load(ordering: .relaxed) }
    set { globalFlag.store(newValue, ordering: .relaxed) }
  }

  /// Set inside ``withCheckNumerics(_:)``.
  @TaskLocal static var isScoped = false
  /// The op whose backward rule is running, while checking.
  @TaskLocal static var backwardOf: String?

  /// Whether values are checked here and now.
  static var isActive: Bool { isEnabled || isScoped }
}

/// Runs `body` with every eager op and compiled run checked for NaN and
/// infinity (see ``NumericsCheck``), like PyTorch's
/// `with torch.autograd.detect_anomaly():`.
public func withCheckNumerics<Result>(_ body: () throws -> Result) rethrows -> Result {
  try NumericsCheck.$isScoped.withValue(true) { try body() }
}

/// The first element of `count` floats at `base` that is NaN or infinite, if any.
@inline(__always)
func firstNonFinite(_ base: UnsafePointer<Float>, count: Int) -> Int? {
  for k in 0..<count where !base[k].isFinite { return k }
  return nil
}

/// `nan`, `inf` or `-inf`.
func nonFiniteSpelling(_ value: Float) -> String {
  value.isNaN ? "nan" : (value > 0 ? "inf" : "-inf")
}

/// The multi-index of flat position `flat` in `shape`, as `[1, 2]`.
func indexSpelling(_ flat: Int, in shape: Shape) -> String {
  var rest = flat
  var index = [Int](repeating: 0, count: shape.rank)
  for axis in (0..<shape.rank).reversed() where shape[axis] > 0 {
    index[axis] = rest % shape[axis]
    rest /= shape[axis]
  }
  return "[" + index.map(String.init).joined(separator: ", ") + "]"
}

extension Tensor {
  /// Stops with an error if this op's freshly computed value holds NaN or infinity.
  func stopIfNonFinite() {
    guard let bad = firstNonFinite(UnsafePointer(storage.base), count: count) else { return }
    let value = nonFiniteSpelling(storage.base[bad])
    let inputShapes = inputs.map { "\($0.shape)" }.joined(separator: ", ")
    let context = NumericsCheck.backwardOf.map { " (in the backward of \($0))" } ?? ""
    fail(
      TensorError(
        op: opName,
        message: "checkNumerics: produced \(value) at \(indexSpelling(bad, in: shape)) of shape \(shape)"
          + (inputs.isEmpty ? "" : " from inputs of shapes \(inputShapes)") + context,
        location: site.location))
  }
}
