/// Forward–backward fusion: a backward elementwise kernel that reads only
/// values ready before a forward kernel, and that kernel's elementwise
/// results, joins the forward kernel, so one pass over the data computes the
/// loss and the gradient (as XLA fuses a `value_and_grad` of an elementwise
/// function).
///
/// ```
/// %10, %5, %6 = fused{… -> sum($9), $5, $6} %1, %0      %10, %29 = fused{…; $12 = mul($5, $6); …
/// ## backward                                     ──►                -> sum($9), $14} %1, %0, %11
/// %29 = fused{…} %0, %5, %6, %11                        # fused forward with backward %29: one pass
/// ```
///
/// Elementwise fusion keeps the sections apart (a backward kernel waits for
/// the forward pass to finish); after it, this pass merges a backward
/// `fused` kernel (or single elementwise instruction) into a forward
/// `fused` or `fusedReduce` kernel it reads from when
/// - it has the forward kernel's shape and does not read its reduction,
/// - everything else it reads is made before the forward kernel (so the
///   merged kernel can run in the forward kernel's place).
///
/// Forward results only the backward kernel read are then never stored. The
/// merged instruction stays in the forward section, where it runs.
struct ForwardBackwardFusion: Pass {
  let name = "forward-backward-fusion"

  func run(_ program: inout Program) {
    var instructions: [Instruction?] = program.instructions
    var producer: [Int?] = Array(repeating: nil, count: program.values.count)
    for (i, instruction) in program.instructions.enumerated() {
      for value in instruction.outputs { producer[value] = i }
    }
    var readers = [Int](repeating: 0, count: program.values.count)
    for instruction in program.instructions {
      for value in Set(instruction.inputs) { readers[value] += 1 }
    }
    for value in program.outputs { readers[value] += 1 }
    for c in instructions.indices {
      guard let consumer = instructions[c], consumer.section == .backward, consumer.outputs.count >= 1,
        consumer.operation.isElementwise || Self.isFused(consumer.operation)
      else { continue }
      let candidates = Set(consumer.inputs.compactMap { producer[$0] }).sorted()
      for p in candidates {
        guard let forward = instructions[p], forward.section == .forward else { continue }
        switch forward.operation {
        case .fused, .fusedReduce: break
        default: continue
        }
        let (reading, expands) = Self.readingThroughExpands(consumer, before: p, instructions, producer)
        guard Self.mayJoin(reading, forward, at: p, producer, program),
          let consumerKernel = Self.kernel(of: consumer)
        else { continue }
        for (value, q) in expands {
          readers[value] -= 1
          readers[instructions[q]!.inputs[0]] += 1
          if readers[value] == 0 { instructions[q] = nil }
        }
        var merged = Self.merge(forward, consumerKernel, reading, readers: &readers, program)
        merged.noteList.removeAll { note in
          guard case .text(let text) = note, let value = Program.notFusedValue(text) else { return false }
          return expands.contains { $0.0 == value }
        }
        instructions[p] = merged
        instructions[c] = nil
        for value in merged.outputs { producer[value] = p }
        break
      }
    }
    program.instructions = instructions.compactMap { $0 }
  }

  static func isFused(_ operation: Operation) -> Bool {
    if case .fused = operation { return true }
    return false
  }

  /// The consumer's elementwise body: a `fused` kernel, or one elementwise
  /// instruction as a kernel of one step.
  static func kernel(of instruction: Instruction) -> FusedKernel? {
    if case .fused(let kernel) = instruction.operation { return kernel }
    guard instruction.operation.isElementwise, instruction.outputs.count == 1 else { return nil }
    return FusedKernel.computing([instruction], outputs: instruction.outputs).kernel
  }

  /// `consumer` reading past each `expand` (at index `p` or later) of a
  /// value ready before `p`: a kernel broadcasts its inputs itself. Also
  /// the values read past, with the index of their `expand`.
  static func readingThroughExpands(
    _ consumer: Instruction, before p: Int, _ instructions: [Instruction?], _ producer: [Int?]
  ) -> (Instruction, [(ValueID, Int)]) {
    var reading = consumer
    var expands: [(ValueID, Int)] = []
    for (k, value) in consumer.inputs.enumerated() {
      guard let q = producer[value], q >= p, let expand = instructions[q], expand.operation == .expand else {
        continue
      }
      let source = expand.inputs[0]
      if let r = producer[source], r >= p { continue }
      reading.inputs[k] = source
      if !expands.contains(where: { $0.0 == value }) { expands.append((value, q)) }
    }
    return (reading, expands)
  }

  /// Whether `consumer` may join `forward` (at index `p`): same shape, no
  /// read of a reduction, everything else it reads made before `p`.
  static func mayJoin(
    _ consumer: Instruction, _ forward: Instruction, at p: Int, _ producer: [Int?], _ program: Program
  ) -> Bool {
    let elementwiseOutputs: ArraySlice<ValueID>
    switch forward.operation {
    case .fused: elementwiseOutputs = forward.outputs[...]
    case .fusedReduce: elementwiseOutputs = forward.outputs.dropFirst()
    default: return false
    }
    let shape = program.values[consumer.outputs[0]].shape
    guard consumer.outputs.allSatisfy({ program.values[$0].shape == shape }) else { return false }
    for value in consumer.inputs {
      if forward.outputs.contains(value) {
        guard elementwiseOutputs.contains(value), program.values[value].shape == shape else { return false }
      } else if let q = producer[value], q >= p {
        return false
      }
    }
    return true
  }

  /// `forward` with `consumer` (whose body is `body`) appended: its inputs
  /// gain what the consumer reads from elsewhere, its outputs lose results
  /// the consumer alone read and gain the consumer's.
  static func merge(
    _ forward: Instruction, _ body: FusedKernel, _ consumer: Instruction, readers: inout [Int], _ program: Program
  ) -> Instruction {
    let (head, reduction): (FusedKernel, Operation?) =
      switch forward.operation {
      case .fused(let kernel): (kernel, nil)
      case .fusedReduce(let kernel, let f, let axes): (kernel, .reduce(f, axes: axes))
      default: preconditionFailure("forward-backward fusion into \(forward.operation.name)")
      }
    var inputs = forward.inputs
    for value in consumer.inputs where !forward.outputs.contains(value) && !inputs.contains(value) {
      inputs.append(value)
    }
    let added = inputs.count - forward.inputs.count
    // The forward kernel's step registers move up past the new inputs.
    func forwardRegister(_ r: Int) -> Int { r < head.inputCount ? r : r + added }
    let stepBase = inputs.count + head.steps.count
    func consumerRegister(_ r: Int) -> Int {
      guard r < body.inputCount else { return stepBase + r - body.inputCount }
      let value = consumer.inputs[r]
      if let j = forward.outputs.firstIndex(of: value) { return forwardRegister(head.outputs[j]) }
      return inputs.firstIndex(of: value)!
    }
    var steps = head.steps.map { FusedKernel.Step($0.operation, $0.arguments.map(forwardRegister)) }
    steps += body.steps.map { FusedKernel.Step($0.operation, $0.arguments.map(consumerRegister)) }
    // The consumer's reads are gone; forward results nobody else reads are dropped.
    for value in Set(consumer.inputs) { readers[value] -= 1 }
    var outputs: [ValueID] = []
    var registers: [Int] = []
    for (j, value) in forward.outputs.enumerated() where (reduction != nil && j == 0) || readers[value] > 0 {
      outputs.append(value)
      registers.append(forwardRegister(head.outputs[j]))
    }
    outputs += consumer.outputs
    registers += body.outputs.map(consumerRegister)
    let kernel = FusedKernel(inputCount: inputs.count, steps: steps, outputs: registers)
    let operation: Operation =
      switch reduction {
      case .reduce(let f, let axes): .fusedReduce(kernel, f, axes: axes)
      default: .fused(kernel)
      }
    let into = reduction.map { " into \($0.name)" } ?? ""
    let summary =
      "fused \(head.stepNames)\(into) and the backward \(body.stepNames) of %\(consumer.outputs[0]): one pass"
    var notes = program.fusionNotes(summary, members: [forward, consumer])
    notes[1] = .origins(Self.origins(of: forward) + Self.origins(of: consumer))
    return Instruction(
      operation, inputs: inputs, outputs: outputs, section: forward.section, location: forward.location,
      noteList: notes)
  }

  /// The places an instruction was made from: its members' for a fused one.
  static func origins(of instruction: Instruction) -> [SourceLocation] {
    for note in instruction.noteList { if case .origins(let locations) = note { return locations } }
    return [instruction.location]
  }
}
