import Testing

@testable import Micrograd

@Suite struct LinearTests {
  /// `x·Wᵀ + b` computed by hand in double precision, row by row.
  static func reference(_ x: [[Float]], _ weight: [[Float]], _ bias: [Float]?) -> [Float] {
    x.flatMap { row in
      weight.indices.map { o in
        Float(zip(row, weight[o]).reduce(Double(bias?[o] ?? 0)) { $0 + Double($1.0) * Double($1.1) })
      }
    }
  }

  static let weight: [[Float]] = [[0.5, -1, 2], [0.25, 0.125, -0.75]]
  static let bias: [Float] = [0.1, -0.2]
  static let x: [[Float]] = [[1, 2, 3], [-1, 0.5, 4], [0.3, -0.7, 1.1], [2, 2, -2]]

  @Test func forwardMatchesHandComputation() {
    let layer = Linear(weight: Tensor(Self.weight, requiresGrad: true), bias: Tensor(Self.bias, requiresGrad: true))
    #expect(layer.inFeatures == 3 && layer.outFeatures == 2)
    let y = layer(Tensor(Self.x))
    #expect(y.shape == [4, 2])
    expectValues(y.scalars, Self.reference(Self.x, Self.weight, Self.bias))
  }

  @Test func forwardOnVectorsAndBatches() {
    let layer = Linear(weight: Tensor(Self.weight), bias: nil)
    let vector = layer(Tensor(Self.x[0]))
    #expect(vector.shape == [2])
    expectValues(vector.scalars, Self.reference([Self.x[0]], Self.weight, nil))
    let batch = layer(Tensor(Self.x.flatMap { $0 }, shape: [2, 2, 3]))
    #expect(batch.shape == [2, 2, 2])
    expectValues(batch.scalars, Self.reference(Self.x, Self.weight, nil))
  }

  @Test func initialisationIsPyTorchsUniform() {
    var generator = RandomGenerator(seed: 5)
    let layer = Linear(16, 64, generator: &generator)
    let bound: Float = 1 / 4  // 1/√16
    #expect(layer.weight.shape == [64, 16])
    #expect(layer.bias?.shape == [64])
    for parameter in layer.parameters() {
      #expect(parameter.requiresGrad)
      #expect(parameter.scalars.allSatisfy { abs($0) <= bound })
      #expect(parameter.scalars.min()! < -0.8 * bound && parameter.scalars.max()! > 0.8 * bound)
    }
    var again = RandomGenerator(seed: 5)
    #expect(Linear(16, 64, generator: &again).weight.scalars == layer.weight.scalars)
    let noBias = Linear(16, 64, bias: false, generator: &generator)
    #expect(noBias.bias == nil && noBias.namedParameters().map(\.name) == ["weight"])
  }

  @Test func gradientsMatchFiniteDifferences() {
    var random = TestRandom(seed: 8)
    let x = random.tensor([5, 3])
    let w = random.tensor([4, 3])
    let b = random.tensor([4])
    expectGradientsMatchFiniteDifferences([x, w, b]) { Linear(weight: $0[1], bias: $0[2])($0[0]) }
  }

  @Test func wrongFeatureCountStops() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      let layer = Linear(weight: Tensor.zeros([2, 3]), bias: nil)
      _ = layer(Tensor.zeros([4, 5]))
    }
    let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
    #expect(message.contains("linear: input [4, 5] does not end in 3 features (weight [2, 3])"))
    // The location is the caller's line (here inside the exit-test macro's expansion), never the library's.
    #expect(message.contains(".swift:") && !message.contains("NN/Linear.swift"))
  }
}

/// Expects `actual` to match the hand-computed `expected` with the default tolerance.
func expectValues(
  _ actual: [Float], _ expected: [Float], tolerance: Tolerance = Tolerance(),
  sourceLocation: Testing.SourceLocation = #_sourceLocation
) {
  #expect(actual.count == expected.count, sourceLocation: sourceLocation)
  for (i, (a, e)) in zip(actual, expected).enumerated()
  where !(abs(a - e) <= tolerance.absolute + tolerance.relative * abs(e)) {
    Issue.record("[\(i)]: \(a) vs \(e)", sourceLocation: sourceLocation)
    return
  }
}
