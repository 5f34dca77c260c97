import Testing

@testable import Micrograd

/// Embedding lookups against PyTorch, finite differences (first and second
/// order), the compiled program, the IR, and the out-of-range error.
@Suite struct EmbeddingOpsTests {
  static let ops: OpTable = [
    "embedding_1d": { embedding($0[0], $0[1]) },
    "embedding_2d_indices": { embedding($0[0], $0[1]) },
    "embedding_0d_index": { embedding($0[0], $0[1]) },
    "embedding_repeated": { embedding($0[0], $0[1]) },
    "embedding_one_row_table": { embedding($0[0], $0[1]) },
    "embedding_width_one": { embedding($0[0], $0[1]) },
    "embedding_then_matmul": { tanh(matmul(embedding($0[0], $0[1]).reshape([4, 6]), $0[2])) },
  ]

  @Test func tableCoversFixtures() { expectCovers("embedding", Self.ops) }

  @Test(arguments: fixtureCases("embedding"))
  func matchesPyTorch(_ fixture: FixtureCase) throws {
    let op = try #require(Self.ops[fixture.name])
    checkFixture(fixture, op)
  }

  @Test func finiteDifferences() {
    var random = TestRandom(seed: 11)
    let table = random.tensor([4, 3])
    let indices = Tensor([[3, 0, 3], [1, 1, 2]])
    expectGradientsMatchFiniteDifferences([indices, table]) { embedding($0[0], $0[1]) }
    expectGradientsMatchFiniteDifferences([indices, table]) { exp(embedding($0[0], $0[1])).sum(axis: 1) }
  }

  /// The backward (a scatter-add) differentiated again: its own backward is a lookup.
  @Test func secondOrderFiniteDifferences() {
    var random = TestRandom(seed: 12)
    let table = random.tensor([3, 2])
    let indices = Tensor([2, 0, 2, 1])
    expectGradientsMatchFiniteDifferences(
      [table, indices],
      gradientOfFirstInput { xs in
        let rows = embedding(xs[1], xs[0])
        return rows * rows * rows
      })
  }

  /// Repeated indices add up in the table's gradient (PyTorch's scatter-add).
  @Test func repeatedIndicesAccumulate() {
    let table = Tensor([[1, 2], [3, 4]], requiresGrad: true)
    embedding(Tensor([1, 1, 0, 1]), table).sum().backward()
    #expect(table.grad?.scalars == [1, 1, 3, 3])
  }

  /// A training step through an embedding: the compiled program (with the
  /// `embedding` and `embedding_backward` instructions) gives eager's values.
  @Test func compiledStepEqualsEager() throws {
    var generator = RandomGenerator(seed: 5)
    let eager = Embedding(6, 3, generator: &generator)
    let compiled = Embedding(weight: Tensor(eager.weight.scalars, shape: [6, 3], requiresGrad: true))
    let eagerTable = eager.weight
    let compiledTable = compiled.weight
    let indices = Tensor([[0, 5], [2, 2], [4, 1]])
    let targets = Tensor([1, 0, 2])
    func loss(_ model: Embedding, _ x: Tensor, _ y: Tensor) -> Tensor {
      crossEntropy(model(x).sum(axis: 1), y)
    }
    let eagerOptimizer = SGD(eager.parameters(), lr: 0.5)
    var eagerLosses: [Float] = []
    for _ in 0..<3 {
      eagerOptimizer.zeroGrad()
      let value = loss(eager, indices, targets)
      value.backward()
      eagerOptimizer.step()
      eagerLosses.append(value.item())
    }
    let step = try compile(compiled, optimizer: SGD(compiled.parameters(), lr: 0.5)) { x, y in
      loss(compiled, x, y)
    }
    var compiledLosses: [Float] = []
    for _ in 0..<3 { compiledLosses.append(try step(indices, targets).item()) }
    #expect(compiledLosses == eagerLosses)
    #expect(compiledTable.scalars == eagerTable.scalars)
    let program = try step.program(for: [[3, 2], [3]])
    #expect(count("embedding", in: program) == 1)
    #expect(count("embedding_backward", in: program) == 1)
    expectRoundTrip(program, "embedding step")
  }

  /// In a compiled program an invalid index cannot stop the process: its row is NaN.
  @Test func compiledInvalidIndexGivesNaNRow() throws {
    let table = Tensor([[1, 2], [3, 4]])
    let f = compile { xs in [embedding(xs[0], table)] }
    let rows = try f.call([Tensor([1, 7])])[0].scalars
    #expect(rows[0] == 3 && rows[1] == 4)
    #expect(rows[2].isNaN && rows[3].isNaN)
  }

  @Test func outOfRangeIndexStops() async {
    let line = #line + 1
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = embedding(Tensor([[0, 1], [4, 2]]), Tensor.zeros([4, 3]))
    }
    expectStandardError(
      result,
      contains: ["embedding", "4.0", "position 2", "[2, 2]", "[4, 3]", "0..<4", "EmbeddingOpsTests.swift:\(line)"])
  }

  @Test func tableOfWrongRankStops() async {
    let line = #line + 1
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = embedding(Tensor([0, 1]), Tensor.zeros([4]))
    }
    expectStandardError(result, contains: ["embedding", "[4]", "[2]", "EmbeddingOpsTests.swift:\(line)"])
  }
}
