/// Algebraic identities and constant folding.
///
/// One walk in program order. Each instruction, its inputs first pointed at
/// whatever stands for them, is folded when it can be, else rewritten by the
/// rules below until none applies; a rule either gives a simpler instruction
/// for the same output or names an existing value that *is* the output, and
/// every later use (instructions, assign sources, outputs) reads that value.
///
/// Identities, only where the result keeps the output's shape:
/// - `x * 1`, `1 * x`, `x / 1`, `x + 0`, `0 + x`, `x - 0` (the constant any
///   splat, or an expand or reshape of one) give `x`; where the constant's
///   broadcast made the output bigger than `x`, they give `expand x` instead.
///   `x + 0` gives `x` even for `x = -0` (the sum would be `+0`): a sign of
///   zero, which compares equal, as XLA's simplifier also allows.
/// - `neg(neg x)`, `pow[1] x`, `reshape`/`expand`/`permute`/`sum` that keep
///   the shape (no axes moved or summed) give `x`.
/// - `reshape(reshape x)` reshapes `x` once; `expand(expand x)` expands `x`
///   once; `expand(reshape x)` expands `x` when the reshape only added or
///   dropped leading 1s or `x` has one element (the backward seed:
///   `const 1 → reshape → expand`).
/// - `reshape(sum x)` to the sum's shape with or without its reduced axes is
///   that sum, written straight into the reshape's value (a reduction lays
///   out its result the same either way), when nothing else reads the sum.
/// - `select` on a splat condition is one branch; with both branches the
///   same value it is that value.
/// - An elementwise op (binary, select) reading `expand y` reads `y` itself
///   when that leaves the output's shape unchanged: the kernels broadcast
///   their operands anyway, so the expanded copy is not needed.
///
/// Constant folding: an instruction whose inputs are all constants runs now,
/// through the same ``Kernels/execute(_:_:_:_:_:)`` the interpreter uses (so
/// the values are bit for bit the ones a run would make), and its outputs
/// become new constants, as long as they hold at most ``foldLimit`` elements
/// together, to keep IR files small: constants are written out in full.
/// `expand` is never folded: a broadcast constant only repeats numbers, and
/// the rules above let its readers broadcast the small constant instead.
///
/// A value is never replaced by a buffer an `assign` overwrites if a read of
/// it comes after that assign (see ``ProgramUses/canReplace(_:with:)``).
/// Instructions left without readers stay; dead-code elimination drops them.
struct Simplify: Pass {
  var name: String { "simplify" }

  /// The most elements constant folding writes for one instruction.
  static let foldLimit = 4096

  /// What a rule made of an instruction.
  private enum Rewrite {
    /// No rule applies.
    case same
    /// A simpler instruction writing the same outputs.
    case instruction(Instruction)
    /// An existing value equal to the (single) output.
    case value(ValueID)
  }

  func run(_ program: inout Program) {
    var walk = Walk(taking: &program)
    for index in walk.program.instructions.indices { walk.visit(index) }
    walk.finish()
    swap(&walk.program, &program)
  }

  /// The state of one walk over the program, which rewrites instructions in
  /// place (copying only those a rule changes) and drops the ones replaced.
  private struct Walk {
    var program: Program
    let uses: ProgramUses
    /// Whether each instruction stays (false once folded or replaced).
    var isKept: [Bool]
    var replacements: ValueReplacements
    /// The kept instruction writing each value, as rewritten.
    var producers: ProducerIndex
    /// How many reads each value may have (never too few).
    var readCounts: [Int]

    /// A walk over `program`, which it takes over (its arrays are moved, not
    /// copied, so appending values copies nothing); `program` is left empty.
    init(taking program: inout Program) {
      uses = ProgramUses(program)
      isKept = Array(repeating: true, count: program.instructions.count)
      replacements = ValueReplacements(count: program.values.count)
      readCounts = program.values.indices.map(uses.useCount)
      producers = ProducerIndex(count: program.values.count)
      self.program = Program()
      swap(&self.program, &program)
    }

    /// Drops the instructions replaced and points every use at what stands for it.
    mutating func finish() {
      if isKept.contains(false) {
        program.instructions = program.instructions.indices.filter { isKept[$0] }.map { program.instructions[$0] }
      }
      program.replaceUses(replacements)
    }

    mutating func visit(_ index: Int) {
      program.resolveInputs(of: index, replacements)
      guard program.instructions[index].inPlaceTargets.isEmpty else { return }
      var instruction = program.instructions[index]
      var rewritten = false
      rewriting: while true {
        if let outputs = Simplify.folded(instruction, program.values) {
          for (id, data) in zip(instruction.outputs, outputs) {
            program.values.append(Value(shape: program.values[id].shape, role: .constant(data)))
            readCounts.append(readCounts[id])
            replacements.replace(id, with: program.values.count - 1)
          }
          isKept[index] = false
          return
        }
        switch rewrite(instruction) {
        case .same:
          break rewriting
        case .instruction(let simpler):
          for id in simpler.inputs where !instruction.inputs.contains(id) { readCounts[id] += 1 }
          instruction = simpler
          rewritten = true
        case .value(let id):
          let output = instruction.outputs[0]
          guard uses.canReplace(output, with: id) else { break rewriting }
          readCounts[id] += readCounts[output]
          replacements.replace(output, with: id)
          isKept[index] = false
          return
        }
      }
      for id in instruction.outputs { producers.set(id, index) }
      if rewritten { program.instructions[index] = instruction }
    }

    func shape(_ id: ValueID) -> Shape { program.values[id].shape }

    /// The one value every element of `id` holds, when it is a constant that
    /// repeats one number, or an expand or reshape of one.
    func splat(_ id: ValueID) -> Float? {
      if case .constant(let data) = program.values[id].role {
        guard let first = data.first, !first.isNaN, data.allSatisfy({ $0 == first }) else { return nil }
        return first
      }
      guard let p = producers.position(of: id),
        program.instructions[p].operation == .expand || program.instructions[p].operation == .reshape
      else { return nil }
      return splat(program.instructions[p].inputs[0])
    }

    /// `x` if it has the output's shape, else `x` broadcast to it.
    func passThrough(_ x: ValueID, _ instruction: Instruction) -> Rewrite {
      if shape(x) == shape(instruction.outputs[0]) { return .value(x) }
      return .instruction(instruction.with(.expand, inputs: [x]))
    }

    func rewrite(_ instruction: Instruction) -> Rewrite {
      guard instruction.outputs.count == 1, let a = instruction.inputs.first else { return .same }
      let output = shape(instruction.outputs[0])
      // Looked up only by the rules that read it (a copy of the instruction).
      var source: Instruction? { producers.instruction(a, program.instructions) }
      switch instruction.operation {
      case .binary(let f):
        let b = instruction.inputs[1]
        switch f {
        case .add where splat(b) == 0, .subtract where splat(b) == 0: return passThrough(a, instruction)
        case .multiply where splat(b) == 1, .divide where splat(b) == 1: return passThrough(a, instruction)
        case .add where splat(a) == 0: return passThrough(b, instruction)
        case .multiply where splat(a) == 1: return passThrough(b, instruction)
        default: return readingUnexpanded(instruction)
        }
      case .select:
        let (yes, no) = (instruction.inputs[1], instruction.inputs[2])
        if let condition = splat(a) { return passThrough(condition != 0 ? yes : no, instruction) }
        if yes == no { return passThrough(yes, instruction) }
        return readingUnexpanded(instruction)
      case .unary(.negate):
        if let source, source.operation == .unary(.negate) { return .value(source.inputs[0]) }
      case .unary(.power(1)):
        return .value(a)
      case .reshape where shape(a) == output, .expand where shape(a) == output:
        return .value(a)
      case .permute(let axes) where axes == Array(axes.indices):
        return .value(a)
      case .reduce(_, let axes) where axes.isEmpty && shape(a) == output:
        return .value(a)
      case .reshape:
        guard let source else { break }
        if source.operation == .reshape { return .instruction(instruction.with(.reshape, inputs: source.inputs)) }
        if case .reduce(_, let axes) = source.operation, readCounts[a] == 1,
          [true, false].contains(where: { reducedShape(shape(source.inputs[0]), axes, keepdims: $0) == output })
        {
          return .instruction(instruction.with(source.operation, inputs: source.inputs, location: source.location))
        }
      case .expand:
        guard let source, source.operation == .expand || source.operation == .reshape else { break }
        let x = source.inputs[0]
        guard Shape.broadcast(shape(x), output) == output else { break }
        if source.operation == .expand || shape(x).count == 1
          || shape(x).dims.drop(while: { $0 == 1 }) == shape(a).dims.drop(while: { $0 == 1 })
        {
          return .instruction(instruction.with(.expand, inputs: [x]))
        }
      default:
        break
      }
      return .same
    }

    /// The instruction reading `y` in place of an input `expand y`, when the
    /// output's shape stays the same; `.same` when no input qualifies.
    func readingUnexpanded(_ instruction: Instruction) -> Rewrite {
      let output = shape(instruction.outputs[0])
      for (k, id) in instruction.inputs.enumerated() {
        guard let p = producers.position(of: id), program.instructions[p].operation == .expand else { continue }
        var inputs = instruction.inputs
        inputs[k] = program.instructions[p].inputs[0]
        let broadcast = inputs.dropFirst().reduce(Optional(shape(inputs[0]))) { shape, id in
          shape.flatMap { Shape.broadcast($0, self.shape(id)) }
        }
        if broadcast == output { return .instruction(instruction.with(instruction.operation, inputs: inputs)) }
      }
      return .same
    }
  }

  /// The kept instruction writing each value, by its index in the program
  /// (an array by value, not a dictionary of instruction copies).
  private struct ProducerIndex {
    private var index: [Int]

    /// None known yet, for a program of `count` values.
    init(count: Int) {
      index = Array(repeating: -1, count: count)
    }

    mutating func set(_ id: ValueID, _ position: Int) {
      if id >= index.count { index += Array(repeating: -1, count: id + 1 - index.count) }
      index[id] = position
    }

    /// The position of the instruction writing `id`, if one does.
    func position(of id: ValueID) -> Int? {
      id < index.count && index[id] >= 0 ? index[id] : nil
    }

    func instruction(_ id: ValueID, _ instructions: [Instruction]) -> Instruction? {
      position(of: id).map { instructions[$0] }
    }
  }

  /// The outputs of `instruction` computed now, when every input is a
  /// constant, the operation folds and the results are small enough.
  static func folded(_ instruction: Instruction, _ values: [Value]) -> [[Float]]? {
    switch instruction.operation {
    case .unary, .binary, .select, .reduce, .reshape, .permute, .matmul: break
    default: return nil
    }
    var inputs: [[Float]] = []
    for id in instruction.inputs {
      guard case .constant(let data) = values[id].role else { return nil }
      inputs.append(data)
    }
    let outputShapes = instruction.outputs.map { values[$0].shape }
    guard outputShapes.reduce(0, { $0 + $1.count }) <= foldLimit else { return nil }
    let inputBuffers = inputs.map { data in
      let buffer = UnsafeMutablePointer<Float>.allocate(capacity: max(data.count, 1))
      buffer.initialize(from: data, count: data.count)
      return buffer
    }
    let outputBuffers = outputShapes.map { shape in
      let buffer = UnsafeMutablePointer<Float>.allocate(capacity: max(shape.count, 1))
      buffer.initialize(repeating: 0, count: shape.count)
      return buffer
    }
    defer { for buffer in inputBuffers + outputBuffers { buffer.deallocate() } }
    Kernels.execute(
      instruction.operation, inputBuffers.map { UnsafePointer($0) }, instruction.inputs.map { values[$0].shape },
      outputBuffers, outputShapes)
    return zip(outputBuffers, outputShapes).map { Array(UnsafeBufferPointer(start: $0, count: $1.count)) }
  }
}

extension Instruction {
  /// This instruction computing `operation` on `inputs` instead, into the
  /// same outputs, in the same section.
  func with(_ operation: Operation, inputs: [ValueID], location: SourceLocation? = nil) -> Instruction {
    Instruction(
      operation, inputs: inputs, outputs: outputs, section: section, location: location ?? self.location,
      noteList: noteList)
  }
}
