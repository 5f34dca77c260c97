/// Recording tensor operations instead of computing them.
///
/// Inside `Trace.record(_:)` every op returns a symbolic tensor of the same
/// typed node class eager mode uses; the nodes reachable from the outputs are
/// the traced graph that the compiler lowers to a ``Program``.
public enum Trace {
  @TaskLocal static var isActive = false

  /// Runs `body` with recording on.
  static func record<Result>(_ body: () throws -> Result) rethrows -> Result {
    try $isActive.withValue(true) { try body() }
  }

  /// A symbolic input of `shape`, standing for a value given at each run.
  static func input(_ shape: Shape, requiresGrad: Bool = false, site: CallSite) -> Tensor {
    Tensor(symbolic: shape, requiresGrad: requiresGrad, site: site)
  }
}
