/// A programming error in a tensor expression: wrong shapes, a bad axis.
///
/// Eager ops stop the program with this message (like a failed precondition);
/// the same checks throw it where input comes from outside (files, tracing).
public struct TensorError: Error, CustomStringConvertible, Sendable, Equatable {
  /// The operation that failed, as the user knows it (`add`, `matmul`).
  public var op: String
  /// What was wrong, naming the shapes involved.
  public var message: String
  /// Where in the user's code the operation was written.
  public var location: SourceLocation

  /// Creates an error for `op` at `location`.
  public init(op: String, message: String, location: SourceLocation) {
    self.op = op
    self.message = message
    self.location = location
  }

  public var description: String { "\(location): error: \(op): \(message)" }
}

/// Stops the program with `error`'s message: the eager API's response to a
/// programming error, as Swift's own `precondition` would.
func fail(_ error: TensorError) -> Never {
  fatalError(error.description)
}
