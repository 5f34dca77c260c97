/// Whether operations record the graph that backward needs.
///
/// Like PyTorch's `torch.no_grad()`: inside ``noGrad(_:)`` no op output
/// requires grad, so no backward node is kept. Scoped to the current task or
/// thread.
public enum GradMode {
  @TaskLocal static var isEnabled = true
}

/// Runs `body` with gradient recording off, as PyTorch's `with torch.no_grad():`.
public func noGrad<Result>(_ body: () throws -> Result) rethrows -> Result {
  try GradMode.$isEnabled.withValue(false) { try body() }
}

/// Runs `body` with gradient recording on or off.
func withGradMode<Result>(_ enabled: Bool, _ body: () throws -> Result) rethrows -> Result {
  try GradMode.$isEnabled.withValue(enabled) { try body() }
}
