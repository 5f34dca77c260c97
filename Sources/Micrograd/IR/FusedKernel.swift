/// A small expression program run as one elementwise pass: the body of a
/// `fused` instruction.
///
/// Registers `0..<inputCount` hold the kernel's inputs (broadcast to the
/// kernel's shape); each step writes the next register. `outputs` names the
/// registers that leave the kernel, in the order of the instruction's outputs.
public struct FusedKernel: Hashable, Sendable {
  /// One operation of the body.
  public struct Step: Hashable, Sendable {
    /// The elementwise operation (`.unary`, `.binary` or `.select`).
    public var operation: Operation
    /// The registers it reads.
    public var arguments: [Int]

    /// Creates a step.
    public init(_ operation: Operation, _ arguments: [Int]) {
      self.operation = operation
      self.arguments = arguments
    }
  }

  /// How many inputs the kernel reads.
  public var inputCount: Int
  /// The body, in order.
  public var steps: [Step]
  /// The registers written out.
  public var outputs: [Int]

  /// Creates a kernel.
  public init(inputCount: Int, steps: [Step], outputs: [Int]) {
    self.inputCount = inputCount
    self.steps = steps
    self.outputs = outputs
  }
}
