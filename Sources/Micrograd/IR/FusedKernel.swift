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
    computing(members.indices, of: members, outputs: outputs)
  }

  /// The same for the members at positions `members` of `instructions`,
  /// read where they are (a kernel of many members copies none of them).
  static func computing(
    _ members: some Collection<Int>, of instructions: [Instruction], outputs: [ValueID]
  ) -> (kernel: FusedKernel, inputs: [ValueID]) {
    // Each value's register; values the members make are listed first, as -1, until their step.
    var register = RegisterTable(for: members, of: instructions)
    for m in members { for value in instructions[m].outputs { register[value] = -1 } }
    var inputs: [ValueID] = []
    for m in members {
      for value in instructions[m].inputs where register[value] == nil {
        register[value] = inputs.count
        inputs.append(value)
      }
    }
    var steps: [Step] = []
    steps.reserveCapacity(members.count)
    for m in members {
      let operation = instructions[m].operation
      precondition(operation.isElementwise, "a fused kernel cannot hold \(operation.name)")
      let arguments = instructions[m].inputs.map { register[$0]! }
      precondition(!arguments.contains(-1), "a fused kernel's members come producers first")
      steps.append(Step(operation, arguments))
      register[instructions[m].outputs[0]] = inputs.count + steps.count - 1
    }
    return (FusedKernel(inputCount: inputs.count, steps: steps, outputs: outputs.map { register[$0]! }), inputs)
  }

  /// The steps' operation names joined by `+`: `add+relu`.
  var stepNames: String {
    // Appended in place: a long kernel's names as an array first cost as much again.
    var names = ""
    for step in steps {
      if !names.isEmpty { names += "+" }
      names += step.operation.name
    }
    return names
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

/// The register of each value while a kernel is built: an array over the
/// range of the value IDs involved when that range is dense enough (a long
/// chain's kernel, whose values are mostly its own), else a dictionary (a
/// small kernel reading a value far from the ones it makes), so a kernel
/// costs time in its own size, never in the program's.
private struct RegisterTable {
  private var lowest = 0
  /// Registers by `id - lowest`; -2 for none.
  private var dense: [Int] = []
  private var sparse: [ValueID: Int] = [:]
  private let isDense: Bool

  /// A table for the values the members at positions `members` of
  /// `instructions` read and write.
  init(for members: some Collection<Int>, of instructions: [Instruction]) {
    var (lowest, highest, count) = (Int.max, Int.min, 0)
    func see(_ id: ValueID) { (lowest, highest, count) = (min(lowest, id), max(highest, id), count + 1) }
    for m in members {
      for id in instructions[m].inputs { see(id) }
      for id in instructions[m].outputs { see(id) }
    }
    isDense = count > 0 && highest - lowest < 4 * count
    if isDense {
      self.lowest = lowest
      dense = Array(repeating: -2, count: highest - lowest + 1)
    } else {
      sparse.reserveCapacity(count)
    }
  }

  subscript(id: ValueID) -> Int? {
    get {
      guard isDense else { return sparse[id] }
      let register = dense[id - lowest]
      return register == -2 ? nil : register
    }
    set {
      if isDense { dense[id - lowest] = newValue ?? -2 } else { sparse[id] = newValue }
    }
  }
}
