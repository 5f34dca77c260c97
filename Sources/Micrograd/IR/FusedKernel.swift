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

extension FusedKernel {
  /// The kernel computing `members` (elementwise instructions, producers
  /// before users) and writing out `outputs` (values the members make), with
  /// the values it reads from outside: the instruction's inputs, in order.
  ///
  /// Each distinct outside value gets one input register, in order of first
  /// use; each member one step.
  static func computing(_ members: [Instruction], outputs: [ValueID]) -> (kernel: FusedKernel, inputs: [ValueID]) {
    let made = Set(members.flatMap(\.outputs))
    var inputs: [ValueID] = []
    var register: [ValueID: Int] = [:]
    for member in members {
      for value in member.inputs where !made.contains(value) && register[value] == nil {
        register[value] = inputs.count
        inputs.append(value)
      }
    }
    var steps: [Step] = []
    for member in members {
      precondition(member.operation.isElementwise, "a fused kernel cannot hold \(member.operation.name)")
      steps.append(Step(member.operation, member.inputs.map { register[$0]! }))
      register[member.outputs[0]] = inputs.count + steps.count - 1
    }
    return (FusedKernel(inputCount: inputs.count, steps: steps, outputs: outputs.map { register[$0]! }), inputs)
  }

  /// The steps' operation names joined by `+`: `add+relu`.
  var stepNames: String {
    steps.map(\.operation.name).joined(separator: "+")
  }

  /// The same kernel with input register `input` moved to register 0 and
  /// inputs `0..<input` shifted up by one.
  func movingInputToFront(_ input: Int) -> FusedKernel {
    func moved(_ r: Int) -> Int { r == input ? 0 : (r < input ? r + 1 : r) }
    return FusedKernel(
      inputCount: inputCount, steps: steps.map { Step($0.operation, $0.arguments.map(moved)) },
      outputs: outputs.map(moved))
  }

  /// The same kernel with output `index` listed first.
  func movingOutputToFront(_ index: Int) -> FusedKernel {
    var reordered = outputs
    reordered.insert(reordered.remove(at: index), at: 0)
    return FusedKernel(inputCount: inputCount, steps: steps, outputs: reordered)
  }
}
