import Testing

@testable import Micrograd

/// A random valid program built directly in the IR, over every operation
/// (including the fused kinds, slices, one-hot and optimizer steps), with
/// awkward names, file paths, notes and constants, dropped values, any
/// section order and, for some seeds, a memory plan.
///
/// Made to exercise the printer, parser and validator on what tracing never
/// produces; every program is valid by construction.
struct RandomProgram {
  var program = Program()
  private var random: TestRandom
  private var parameters: [ValueID] = []
  private var learningRate: ValueID?

  static let awkwardNames = [
    "x", "layers.0.weight", "with space", "quote\"inside", "back\\slash", "new\nline", "tab\there", "ünïcødé ✓",
    "#hash", "", "bell\u{7}", "  padded  ",
  ]
  static let awkwardFiles = [
    "Sources/App/main.swift", "My Project/main.swift", "C:\\dir\\file.swift", "a:b.swift", "<unknown>",
    "files/ümlaut.swift", "\"quoted\".swift", "", "x#y.swift",
  ]
  static let awkwardNotes = [
    "fused add+relu", "not fused with %3: producer is matmul", "has # inside", "\"starts with a quote",
    " leading space", "trailing space ", "", "line\nbreak", "ünïcødé", "from a.swift:1, b.swift:2",
  ]
  static let awkwardFloats: [Float] = [
    0, -0.0, 1, -1.5, 0.1, 1e-7, 3.4028235e38, -.infinity, .infinity, .leastNonzeroMagnitude, 123456.79,
  ]

  init(seed: UInt64) {
    random = TestRandom(seed: seed)
    for _ in 0..<(1 + pick(3)) { _ = leaf(.input, randomShape()) }
    for _ in 0..<pick(3) { parameters.append(leaf(.parameter, randomShape())) }
    for _ in 0..<pick(2) {
      let shape = randomShape()
      _ = leaf(.constant((0..<shape.count).map { _ in Self.awkwardFloats[pick(Self.awkwardFloats.count)] }), shape)
    }
    if pick(2) == 0 { _ = leaf(.captured, randomShape()) }
    for _ in 0..<(3 + pick(12)) { addInstruction() }
    for _ in 0..<pick(3) {
      program.values.append(Value(shape: randomShape(), role: .temporary, name: awkward(Self.awkwardNames)))
    }
    let made = program.instructions.flatMap(\.outputs)
    program.outputs = made.isEmpty ? [0] : (0..<(1 + pick(2))).map { _ in made[pick(made.count)] }
    if pick(3) == 0 { program.outputs.append(0) }
    for id in program.outputs where program.values[id].role == .temporary && pick(2) == 0 {
      program.values[id].name = awkward(Self.awkwardNames)
    }
    if pick(2) == 0 { program.memoryPlan = Self.plan(for: program) }
  }

  private mutating func pick(_ n: Int) -> Int { Int(random.next() % UInt64(n)) }

  private mutating func awkward(_ choices: [String]) -> String { choices[pick(choices.count)] }

  private mutating func randomShape() -> Shape {
    Shape((0..<pick(4)).map { _ in 1 + pick(4) })
  }

  private mutating func leaf(_ role: Value.Role, _ shape: Shape) -> ValueID {
    program.values.append(
      Value(shape: shape, role: role, name: role == .input || pick(2) == 0 ? awkward(Self.awkwardNames) : ""))
    return program.values.count - 1
  }

  /// A value to read: any existing value not dropped.
  private mutating func operand() -> ValueID {
    let made = Set(program.instructions.flatMap(\.outputs))
    let usable = program.values.indices.filter { program.values[$0].role != .temporary || made.contains($0) }
    return usable[pick(usable.count)]
  }

  /// A value whose shape broadcasts to `shape`, or a new input of that shape.
  private mutating func operand(broadcastingTo shape: Shape) -> ValueID {
    let made = Set(program.instructions.flatMap(\.outputs))
    let fitting = program.values.indices.filter { id in
      (program.values[id].role != .temporary || made.contains(id))
        && Shape.broadcast(program.values[id].shape, shape) == shape
    }
    return fitting.isEmpty || pick(4) == 0 ? leaf(.input, shape) : fitting[pick(fitting.count)]
  }

  private mutating func emit(_ operation: Operation, _ inputs: [ValueID], _ shapes: [Shape]) {
    let outputs = shapes.map { shape -> ValueID in
      program.values.append(Value(shape: shape, role: .temporary, name: pick(6) == 0 ? awkward(Self.awkwardNames) : ""))
      return program.values.count - 1
    }
    let location =
      pick(5) == 0
      ? SourceLocation.unknown
      : SourceLocation(file: awkward(Self.awkwardFiles), line: pick(3) == 0 ? -pick(9) : pick(500))
    let notes = (0..<pick(3)).map { _ in awkward(Self.awkwardNotes) }
    let section = Instruction.Section.allCases[pick(3)]
    program.instructions.append(
      Instruction(operation, inputs: inputs, outputs: outputs, section: section, location: location, notes: notes))
  }

  private mutating func elementwiseOperation() -> (Operation, Int) {
    switch pick(4) {
    case 0:
      let functions: [UnaryFunction] = [
        .negate, .exp, .log, .tanh, .sigmoid, .relu, .power(Self.awkwardFloats[pick(11)]),
      ]
      return (.unary(functions[pick(functions.count)]), 1)
    case 3: return (.select, 3)
    default:
      let functions: [BinaryFunction] = [
        .add, .subtract, .multiply, .divide, .maximum, .minimum, .greater, .greaterEqual, .less, .lessEqual, .equal,
        .notEqual,
      ]
      return (.binary(functions[pick(functions.count)]), 2)
    }
  }

  /// A kernel over `inputCount` inputs: 1 to 4 steps, 1 or 2 outputs.
  private mutating func kernel(inputCount: Int, outputCount: Int) -> FusedKernel {
    var steps: [FusedKernel.Step] = []
    for k in 0..<(1 + pick(4)) {
      let (operation, arity) = elementwiseOperation()
      steps.append(FusedKernel.Step(operation, (0..<arity).map { _ in pick(inputCount + k) }))
    }
    let registers = inputCount + steps.count
    let outputs = [registers - 1] + (1..<outputCount).map { _ in pick(registers) }
    return FusedKernel(inputCount: inputCount, steps: steps, outputs: outputs)
  }

  private mutating func randomAxes(_ rank: Int) -> [Int] {
    (0..<rank).filter { _ in pick(2) == 0 }
  }

  private mutating func reducedShape(_ shape: Shape, _ axes: [Int]) -> Shape {
    Micrograd.reducedShape(shape, axes, keepdims: pick(2) == 0)
  }

  private mutating func addInstruction() {
    let a = operand()
    let shape = program.values[a].shape
    switch pick(19) {
    case 0, 1:
      let (operation, arity) = elementwiseOperation()
      let inputs = [a] + (1..<arity).map { _ in operand(broadcastingTo: shape) }
      emit(operation, inputs, [shape])
    case 2:
      let axes = randomAxes(shape.rank)
      emit(pick(2) == 0 ? .reduce(.sum, axes: axes) : .reduce(.max, axes: axes), [a], [reducedShape(shape, axes)])
    case 3:
      let axes = randomAxes(shape.rank)
      emit(.logsumexp(axes: axes), [a], [reducedShape(shape, axes)])
    case 4: emit(.reshape, [a], [pick(2) == 0 ? Shape([shape.count]) : Shape([1] + shape.dims)])
    case 5: emit(.expand, [a], [Shape([2] + shape.dims)])
    case 6:
      var axes = Array(0..<shape.rank)
      for i in axes.indices.reversed() { axes.swapAt(i, pick(i + 1)) }
      emit(.permute(axes), [a], [Shape(axes.map { shape[$0] })])
    case 7 where shape.rank > 0:
      let axis = pick(shape.rank)
      let size = shape[axis]
      let step = [1, 2, -1, -2][pick(4)]
      let start = pick(size)
      let available = step > 0 ? (size - start + step - 1) / step : start / -step + 1
      var dims = shape.dims
      dims[axis] = 1 + pick(available)
      emit(.slice(axis: axis, start: start, step: step), [a], [Shape(dims)])
    case 8 where shape.rank > 0:
      let axis = pick(shape.rank)
      let count = shape[axis]
      let step = [1, 2, -1, -3][pick(4)]
      let span = (count - 1) * abs(step)
      var dims = shape.dims
      dims[axis] = span + 1 + pick(3)
      let start = step > 0 ? pick(dims[axis] - span) : span + pick(dims[axis] - span)
      emit(.sliceScatter(axis: axis, start: start, step: step), [a], [Shape(dims)])
    case 9 where shape.rank > 0:
      let axis = pick(shape.rank)
      let parts = 1 + pick(3)
      var dims = shape.dims
      dims[axis] *= parts
      emit(.concatenate(axis: axis), Array(repeating: a, count: parts), [Shape(dims)])
    case 10:
      let classes = 1 + pick(4)
      emit(.oneHot(classes: classes), [a], [Shape(shape.dims + [classes])])
    case 11, 12:
      let (transposeA, transposeB) = (pick(2) == 0, pick(2) == 0)
      let matrix = shape.rank >= 2 ? a : leaf(.input, [1 + pick(3), 1 + pick(3)])
      let m = program.values[matrix].shape
      let inner = transposeA ? m[m.rank - 2] : m[m.rank - 1]
      let n = 1 + pick(3)
      let b = leaf(pick(2) == 0 ? .input : .parameter, transposeB ? [n, inner] : [inner, n])
      if program.values[b].role == .parameter { parameters.append(b) }
      guard case .success(let product) = ShapeRules.matmul(m, transposeA, program.values[b].shape, transposeB) else {
        return
      }
      if pick(2) == 0 {
        emit(.matmul(transposeA: transposeA, transposeB: transposeB), [matrix, b], [product])
      } else {
        let extra = (0..<pick(3)).map { _ in operand(broadcastingTo: product) }
        let kernel = kernel(inputCount: 1 + extra.count, outputCount: 1 + pick(2))
        emit(
          .matmulEpilogue(transposeA: transposeA, transposeB: transposeB, kernel), [matrix, b] + extra,
          Array(repeating: product, count: kernel.outputs.count))
      }
    case 13:
      let inputs = [a] + (0..<pick(3)).map { _ in operand(broadcastingTo: shape) }
      let kernel = kernel(inputCount: inputs.count, outputCount: 1 + pick(2))
      emit(.fused(kernel), inputs, Array(repeating: shape, count: kernel.outputs.count))
    case 14:
      let inputs = [a] + (0..<pick(3)).map { _ in operand(broadcastingTo: shape) }
      let kernel = kernel(inputCount: inputs.count, outputCount: 1 + pick(2))
      let axes = randomAxes(shape.rank)
      emit(
        .fusedReduce(kernel, pick(2) == 0 ? .sum : .max, axes: axes), inputs,
        [reducedShape(shape, axes)] + Array(repeating: shape, count: kernel.outputs.count - 1))
    case 15 where !parameters.isEmpty:
      let parameter = parameters[pick(parameters.count)]
      let parameterShape = program.values[parameter].shape
      emit(.unary(.negate), [parameter], [parameterShape])
      let gradient = program.values.count - 1
      if pick(2) == 0 {
        emit(.assign, [parameter, gradient], [])
        return
      }
      if parameterShape.rank == 2 && pick(3) == 0 {
        // SGD folded into the product making its gradient.
        let (transposeA, transposeB, k) = (pick(2) == 0, pick(2) == 0, 1 + pick(4))
        let (m, n) = (parameterShape[0], parameterShape[1])
        let a = leaf(.input, transposeA ? [k, m] : [m, k])
        let b = leaf(.input, transposeB ? [n, k] : [k, n])
        let learningRate = self.learningRate ?? leaf(.input, [])
        self.learningRate = learningRate
        emit(
          .sgdProduct(transposeA: transposeA, transposeB: transposeB),
          [parameter, a, b, learningRate, leaf(.state, [])], [])
        return
      }
      let rules: [OptimizerRule] = [
        .sgd(momentum: 0, dampening: 0, weightDecay: 0, nesterov: false),
        .sgd(momentum: 0.9, dampening: 0.1, weightDecay: 1e-4, nesterov: false),
        .sgd(momentum: 0.9, dampening: 0, weightDecay: 0, nesterov: true),
        .adam(beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0, decoupled: false),
        .adam(beta1: 0.9, beta2: 0.95, epsilon: 1e-8, weightDecay: 1e-2, decoupled: true),
      ]
      let rule = rules[pick(rules.count)]
      let learningRate = self.learningRate ?? leaf(.input, [])
      self.learningRate = learningRate
      let state = [leaf(.state, [])] + (0..<rule.bufferCount).map { _ in leaf(.state, parameterShape) }
      emit(.optimizerStep(rule), [parameter, gradient, learningRate] + state, [])
    case 16:
      let table = leaf(pick(2) == 0 ? .input : .parameter, [1 + pick(4), 1 + pick(3)])
      if program.values[table].role == .parameter { parameters.append(table) }
      emit(.embedding, [a, table], [Shape(shape.dims + [program.values[table].shape[1]])])
    case 17:
      let gradient = leaf(.input, Shape(shape.dims + [1 + pick(3)]))
      let rows = 1 + pick(4)
      emit(.embeddingBackward(rows: rows), [a, gradient], [[rows, program.values[gradient].shape.dims.last!]])
    case 18:
      IRTestSquare.register()
      emit(.custom(IRTestSquare.name), [a], [shape])
    default:
      emit(.unary(.relu), [a], [shape])
    }
  }

  /// A plan that gives inputs, constants and made temporaries buffers,
  /// reusing a buffer once its last value is dead (greedy, no in-place).
  static func plan(for program: Program) -> MemoryPlan {
    let forever = program.instructions.count
    var start = [Int?](repeating: nil, count: program.values.count)
    var end = [Int](repeating: -1, count: program.values.count)
    for (id, value) in program.values.enumerated() {
      switch value.role {
      case .input: start[id] = -1
      case .constant: (start[id], end[id]) = (-1, forever)
      default: break
      }
    }
    for (index, instruction) in program.instructions.enumerated() {
      for id in instruction.outputs { (start[id], end[id]) = (index, index) }
      for id in instruction.inputs { end[id] = max(end[id], index) }
    }
    for id in program.outputs { end[id] = forever }
    var buffer = [Int?](repeating: nil, count: program.values.count)
    var sizes: [Int] = []
    var freeAfter: [Int] = []
    let placed = program.values.indices.filter { start[$0] != nil }.sorted { (start[$0]!, $0) < (start[$1]!, $1) }
    for id in placed {
      let count = program.values[id].shape.count
      if let reuse = freeAfter.indices.first(where: { freeAfter[$0] < start[id]! }) {
        buffer[id] = reuse
        sizes[reuse] = max(sizes[reuse], count)
        freeAfter[reuse] = end[id]
      } else {
        buffer[id] = sizes.count
        sizes.append(count)
        freeAfter.append(end[id])
      }
    }
    let naive = placed.reduce(0) { $0 + program.values[$1].shape.count } * 4
    return MemoryPlan(buffer: buffer, bufferSizes: sizes, peakBytes: sizes.reduce(0, +) * 4, naiveBytes: naive)
  }
}
