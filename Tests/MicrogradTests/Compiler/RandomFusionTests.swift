import Testing

@testable import Micrograd

/// Fusion against eager on 200 random elementwise graphs: chains and DAGs
/// over inputs that broadcast to each other, with several outputs.
@Suite struct RandomFusionTests {
  /// A random graph of elementwise ops, rebuilt identically from its seed
  /// on eager or symbolic inputs.
  struct RandomGraph: CustomStringConvertible {
    let seed: UInt64
    /// The inputs' shapes: each the full shape with some axes 1 or dropped.
    var shapes: [Shape] = []

    init(seed: UInt64) {
      self.seed = seed
      var random = TestRandom(seed: seed)
      let rank = Int(random.next() % 4)
      var dims = (0..<rank).map { _ in [1, 2, 3, 5, 7][Int(random.next() % 5)] }
      if rank > 0 && random.next() % 6 == 0 { dims[rank - 1] = 600 }  // rows longer than a block
      let inputCount = 1 + Int(random.next() % 4)
      shapes = (0..<inputCount).map { _ in
        let dropped = random.next() % 3 == 0 ? Int(random.next() % UInt64(rank + 1)) : 0
        return Shape(dims.dropFirst(dropped).map { random.next() % 3 == 0 ? 1 : $0 })
      }
    }

    var description: String { "graph \(seed) on \(shapes)" }

    /// The graph's outputs: its last node and a few others.
    func build(_ inputs: [Tensor]) -> [Tensor] {
      var random = TestRandom(seed: seed ^ 0x5_DEEC_E66D)
      var nodes = inputs
      func pick() -> Tensor {
        // Mostly recent nodes, so chains form; sometimes any node, so DAGs do.
        let reach = random.next() % 2 == 0 ? min(nodes.count, 3) : nodes.count
        return nodes[nodes.count - 1 - Int(random.next() % UInt64(reach))]
      }
      // Typed nodes with an explicit site: operators would look up the
      // caller's line from a backtrace while tracing, which is slow.
      let site = CallSite(#fileID, #line)
      for _ in 0..<(2 + Int(random.next() % 10)) {
        let a = pick()
        switch random.next() % 12 {
        case 0: nodes.append(relu(a))
        case 1: nodes.append(Neg(a, site: site))
        case 2: nodes.append(Add(a, pick(), site: site))
        case 3: nodes.append(Sub(a, pick(), site: site))
        case 4: nodes.append(Mul(a, pick(), site: site))
        case 5: nodes.append(Div(a, pick(), site: site))
        case 6: nodes.append(Compare(.greater, a, pick(), site: site))
        case 7: nodes.append(Compare(.lessEqual, a, pick(), site: site))
        case 8: nodes.append(select(Compare(.greater, a, Tensor(0), site: site), pick(), pick()))
        case 9: nodes.append(Mul(a, Tensor(0.75), site: site))
        case 10: nodes.append(Sub(Tensor(1.5), a, site: site))
        default: nodes.append(Compare(.equal, a, pick(), site: site))
        }
      }
      let made = Array(nodes.dropFirst(inputs.count).dropLast())
      let extra =
        made.isEmpty ? [] : (0..<Int(random.next() % 3)).map { _ in made[Int(random.next() % UInt64(made.count))] }
      return [nodes.last!] + extra
    }
  }

  @Test func fusedGraphsEqualEager() throws {
    var instructionsBefore = 0
    var instructionsAfter = 0
    var kernels = 0
    for seed in 0..<200 {
      let graph = RandomGraph(seed: UInt64(seed))
      let lowered = try lowerForward(graph.shapes, graph.build)
      let fused = applying(fusionPasses, to: lowered)
      expectWellFormed(fused.program)
      instructionsBefore += lowered.program.instructions.count
      instructionsAfter += fused.program.instructions.count
      kernels += count("fused", in: fused.program)
      var random = TestRandom(seed: UInt64(1000 + seed))
      let inputs = graph.shapes.map { random.tensor($0, requiresGrad: false) }
      let compiled = try execute(fused, inputs)
      let eager = graph.build(inputs)
      #expect(compiled.count == eager.count)
      for (k, (c, e)) in zip(compiled, eager).enumerated() { expectIdentical(c, e, "\(graph) output \(k)") }
    }
    print(
      "random graphs: \(instructionsBefore) instructions before fusion, \(instructionsAfter) after, \(kernels) kernels")
    // The graphs must exercise fusion, not only run unfused.
    #expect(kernels >= 150)
    #expect(instructionsAfter * 2 < instructionsBefore)
  }
}
