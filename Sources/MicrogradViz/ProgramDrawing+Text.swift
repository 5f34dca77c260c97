import Micrograd

/// The words of a program's picture: labels kept short, the rest in tooltips.
extension ProgramDrawing {
  /// `[100,16]`, with the buffer when shown: `[100,16] b3`.
  func shortDescription(of id: ValueID) -> String {
    Formatting.shape(program.values[id].shape) + (buffer(of: id).map { " b\($0)" } ?? "")
  }

  /// `%3 "layers.0.weight" f32[2,16] parameter, buffer 2`.
  func describe(_ id: ValueID) -> String {
    let value = program.values[id]
    var text = "%\(id)"
    if !value.name.isEmpty { text += " \"\(value.name)\"" }
    text += " f32" + Formatting.shape(value.shape)
    switch value.role {
    case .input: text += " input"
    case .parameter: text += " parameter"
    case .state: text += " state"
    case .captured: text += " captured"
    case .constant(let data):
      text += " constant" + (data.count <= 8 ? " " + Formatting.values(data, shape: value.shape) : "")
    case .temporary: break
    }
    if let buffer = buffer(of: id) { text += ", buffer \(buffer)" }
    return text
  }

  /// Where a value referred to from afar is drawn in full.
  func origin(of id: ValueID) -> String {
    guard let maker = makers[id] else { return "given to the program" }
    return "made by instruction \(maker) at \(program.instructions[maker].location)"
  }

  private func buffer(of id: ValueID) -> Int? {
    guard options.showBuffers, let plan = program.memoryPlan, id < plan.buffer.count else { return nil }
    return plan.buffer[id]
  }

  /// The node's text: the operation (with a fused kernel's ops unless in
  /// brief) and, for an in-place update, the value it writes.
  func label(of instruction: Instruction) -> String {
    var name = Program.briefSpelling(instruction.operation)
    if let kernel = instruction.operation.kernel, !brief {
      name += "\n" + kernel.steps.map(\.operation.name).joined(separator: "+")
    }
    if instruction.outputs.isEmpty, let target = instruction.inputs.first {
      let value = program.values[target]
      return name + "\n" + (value.name.isEmpty ? "%\(target)" : value.name)
    }
    return name
  }

  /// The instruction as the IR prints it, what it makes, where it came
  /// from, and the compiler's notes.
  func tooltip(of instruction: Instruction) -> String {
    let results = instruction.outputs.map { "%\($0)" }.joined(separator: ", ")
    let arguments = instruction.inputs.map { "%\($0)" }.joined(separator: ", ")
    var lines = [(results.isEmpty ? "" : results + " = ") + instruction.operation.spelling + " " + arguments]
    lines += instruction.outputs.map { describe($0) }
    if brief {
      lines += instruction.inputs.filter {
        if case .constant = program.values[$0].role { true } else { false }
      }.map { "reads " + describe($0) }
    }
    lines.append(instruction.section.rawValue + " @ " + instruction.location.description)
    lines += instruction.notes.map { "# " + $0 }
    return lines.joined(separator: "\n")
  }

  /// The picture's heading: what is drawn, and the memory plan's totals.
  static func title(of program: Program, drawing count: Int, _ options: VizOptions) -> String {
    var title = "\(count) instruction" + (count == 1 ? "" : "s")
    if options.section != .all { title += " (\(options.section.rawValue))" }
    if options.showBuffers, let plan = program.memoryPlan {
      title +=
        ", \(plan.bufferSizes.count) buffers, peak \(kibibytes(plan.peakBytes))"
        + " (naive \(kibibytes(plan.naiveBytes)))"
    }
    return title
  }

  private static func kibibytes(_ bytes: Int) -> String {
    Formatting.number(Float(bytes) / 1024) + " KiB"
  }
}

extension Operation {
  /// The elementwise kernel of a fused operation; nil for the others.
  var kernel: FusedKernel? {
    switch self {
    case .fused(let kernel), .fusedReduce(let kernel, _, _), .matmulEpilogue(_, _, let kernel): kernel
    default: nil
    }
  }
}

extension Program {
  /// An operation's spelling short enough for a node: the IR's, except a
  /// fused kernel's body, which the cluster or tooltip shows.
  static func briefSpelling(_ operation: Operation) -> String {
    switch operation {
    case .fused: "fused"
    case .fusedReduce(_, let function, let axes): "fused+" + Operation.reduce(function, axes: axes).spelling
    case .matmulEpilogue(let transposeA, let transposeB, _):
      Operation.matmul(transposeA: transposeA, transposeB: transposeB).spelling + "+fused"
    default: operation.spelling
    }
  }
}
