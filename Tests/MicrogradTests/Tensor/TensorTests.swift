import Testing

@testable import Micrograd

/// Constructors, printing and the seeded generator.
@Suite struct TensorTests {
  @Test func constructorsMakeTheRightShapes() {
    #expect(Tensor(3.5).shape == [])
    #expect(Tensor(3.5).item() == 3.5)
    #expect(Tensor([1, 2, 3]).shape == [3])
    #expect(Tensor([[1, 2, 3], [4, 5, 6]]).shape == [2, 3])
    #expect(Tensor([[[1], [2]], [[3], [4]]]).shape == [2, 2, 1])
    #expect(Tensor([[1, 2, 3], [4, 5, 6]]).scalars == [1, 2, 3, 4, 5, 6])
    #expect(Tensor.zeros([2, 2]).scalars == [0, 0, 0, 0])
    #expect(Tensor.ones([3]).scalars == [1, 1, 1])
    #expect(Tensor.full([2], 7).scalars == [7, 7])
    #expect(Tensor([], shape: [0, 3]).count == 0)
  }

  @Test func descriptionReadsLikeNumpy() {
    #expect(Tensor([[1, 2], [3, 4]]).description == "tensor([[1.0000, 2.0000],\n        [3.0000, 4.0000]])")
    #expect(Tensor(2).description == "tensor(2.0000)")
    #expect(Tensor([1, 2], requiresGrad: true).description == "tensor([1.0000, 2.0000], requiresGrad: true)")
    let x = Tensor([1], requiresGrad: true)
    #expect((x * 2).description == "tensor([2.0000], op: mul)")
    let big = Tensor((0..<2000).map(Float.init))
    #expect(big.description.contains("..."))
    #expect(big.description.contains("shape: [2000]"))
    #expect(Tensor([.nan, .infinity, 1e-7]).description == "tensor([nan, inf, 1.0000e-07])")
  }

  @Test func seededGeneratorRepeats() {
    var a = RandomGenerator(seed: 42)
    var b = RandomGenerator(seed: 42)
    var c = RandomGenerator(seed: 43)
    let x = Tensor.uniform([100], low: -1, high: 1, generator: &a).scalars
    #expect(x == Tensor.uniform([100], low: -1, high: 1, generator: &b).scalars)
    #expect(x != Tensor.uniform([100], low: -1, high: 1, generator: &c).scalars)
    #expect(x.allSatisfy { $0 >= -1 && $0 < 1 })
    manualSeed(9)
    let first = Tensor.normal([10]).scalars
    manualSeed(9)
    #expect(Tensor.normal([10]).scalars == first)
  }

  /// 100,000 normal draws: mean and standard deviation within 5 standard
  /// errors (0.016 and 0.011) of 0 and 1, so a broken transform fails.
  @Test func normalDrawsHaveUnitVariance() {
    var generator = RandomGenerator(seed: 3)
    let values = Tensor.normal([100_000], generator: &generator).scalars.map(Double.init)
    let mean = values.reduce(0, +) / Double(values.count)
    let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count)
    #expect(abs(mean) < 0.016)
    #expect(abs(variance.squareRoot() - 1) < 0.011)
  }

  @Test func mismatchedDataStopsWithTheShape() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      makeBadTensor()
    }
    expectStandardError(
      result, contains: ["tensor", "5 values do not fill shape [2, 3]", "TensorTests.swift:\(badTensorLine)"])
  }
}

let badTensorLine = #line + 2  // the line of the bad constructor below
func makeBadTensor() {
  _ = Tensor([1, 2, 3, 4, 5], shape: [2, 3])
}
