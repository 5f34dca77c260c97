import Testing

@testable import Micrograd

/// The helpers the compiler's fast paths rest on, checked against the plain
/// ways they replaced: lowering's node numbering against
/// `topologicalOrder`, a fused kernel built with sparse value IDs against
/// the same kernel with dense ones, fusion's flat use lists against a scan,
/// and value replacements along chains.
@Suite struct CompileHelperTests {
  /// A traced graph with shared nodes (each `y` read twice), constants and
  /// two roots that share most of the graph.
  static func sharedGraph() -> (roots: [Tensor], x: Tensor) {
    Trace.record {
      let x = Trace.input([3], site: CallSite(#fileID, #line))
      var y = x
      var kept: [Tensor] = []
      for k in 0..<12 {
        switch k % 3 {
        case 0: y = y * y
        case 1: y = tanh(y) + y
        default: y = y * 2 - (kept.last ?? x)
        }
        kept.append(y)
      }
      return ([y, kept[4] * kept[7], y + kept[2]], x)
    }
  }

  @Test func numberingKeepsTheTopologicalOrder() {
    let (roots, _) = Self.sharedGraph()
    let numbering = NodeNumbering(roots)
    let expected = topologicalOrder(roots)
    #expect(numbering.order.map { ObjectIdentifier(numbering.nodes[$0]) } == expected.map(ObjectIdentifier.init))
    for n in numbering.order {
      let inputs = numbering.inputs(of: n).map { ObjectIdentifier(numbering.nodes[$0]) }
      #expect(inputs == numbering.nodes[n].inputs.map(ObjectIdentifier.init))
    }
    // Reachability from one root, against a search of its own.
    let reachable = numbering.reachable(from: [roots[1]])
    let searched = Set(topologicalOrder([roots[1]]).map(ObjectIdentifier.init))
    for n in numbering.nodes.indices {
      #expect(reachable[n] == searched.contains(ObjectIdentifier(numbering.nodes[n])))
    }
  }

  /// `tanh(a * b) + a` over values numbered from `base`, the kernel's
  /// inputs spread `gap` apart.
  static func members(base: Int, gap: Int) -> [Instruction] {
    let (a, b) = (base, base + gap)
    let (product, tanhValue, sum) = (base + 2 * gap, base + 2 * gap + 1, base + 2 * gap + 2)
    return [
      Instruction(.binary(.multiply), inputs: [a, b], outputs: [product]),
      Instruction(.unary(.tanh), inputs: [product], outputs: [tanhValue]),
      Instruction(.binary(.add), inputs: [tanhValue, a], outputs: [sum]),
    ]
  }

  @Test func kernelRegistersDoNotDependOnHowFarApartValuesAre() {
    let dense = FusedKernel.computing(Self.members(base: 0, gap: 1), outputs: [4, 3])
    // A million apart: the registers are kept in a dictionary, not an array.
    let sparse = FusedKernel.computing(Self.members(base: 7, gap: 1_000_000), outputs: [2_000_009, 2_000_008])
    #expect(dense.kernel == sparse.kernel)
    #expect(dense.inputs == [0, 1])
    #expect(sparse.inputs == [7, 1_000_007])
    #expect(dense.kernel.steps.map(\.arguments) == [[0, 1], [2], [3, 0]])
    #expect(dense.kernel.outputs == [4, 3])
  }

  @Test func fusionUsesListEachReaderOnceInOrder() {
    var builder = ProgramBuilder()
    let x = builder.input([4])
    let square = builder.add(.binary(.multiply), [x, x], [4])
    let sum = builder.add(.binary(.add), [square, x], [4])
    _ = builder.add(.select, [x, square, sum], [4])
    let program = builder.returning([sum])
    let uses = FusionUses(program)
    for value in program.values.indices {
      let scanned = program.instructions.indices.filter { program.instructions[$0].inputs.contains(value) }
      #expect(Array(uses.users(of: value)) == scanned, "readers of %\(value)")
    }
    #expect(uses.producer[sum] == 1)
    #expect(uses.isOutput[sum] && !uses.isOutput[square])
  }

  @Test func replacementsFollowChainsAndGrow() {
    var replacements = ValueReplacements(count: 4)
    #expect(replacements.isEmpty)
    replacements.replace(3, with: 2)
    replacements.replace(2, with: 0)
    // A value added after the table was made.
    replacements.replace(9, with: 3)
    #expect(!replacements.isEmpty)
    #expect(replacements.resolve(3) == 0)
    #expect(replacements.resolve(9) == 0)
    #expect(replacements.resolve(1) == 1)
    #expect(replacements.resolve(7) == 7)
    #expect(replacements.resolve(42) == 42)
  }
}
