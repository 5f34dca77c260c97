import Testing

@testable import Micrograd

/// A base class with one parameter, to check that inherited properties come first.
private class Base: Module {
  let baseWeight = Tensor([1, 2], requiresGrad: true)
}

/// A module holding every kind of member that reflection must (or must not) find.
private final class Block: Base {
  let scale = Tensor([1, 2, 3], requiresGrad: true)
  let constant = Tensor([4, 5])  // requires no grad: a constant, not a parameter
  let computed: Tensor
  let inner = Linear(2, 3, generator: &Block.generator)
  let absent: Linear? = nil
  let present: Linear? = Linear(3, 1, bias: false, generator: &Block.generator)
  let heads = [Linear(3, 2, generator: &Block.generator), Linear(3, 2, bias: false, generator: &Block.generator)]
  let extras = [Tensor([1], requiresGrad: true), Tensor([2], requiresGrad: true)]
  let alias: Tensor  // the same tensor as `scale`: listed once
  let nested: [[Tensor]]? = [[], [Tensor([6], requiresGrad: true)]]
  lazy var later = Tensor([7], requiresGrad: true)  // listed once it exists
  let width = 3

  nonisolated(unsafe) static var generator = RandomGenerator(seed: 1)

  override init() {
    computed = Tensor([1], requiresGrad: true) * 2  // not a leaf: not a parameter
    alias = scale
  }
}

@Suite struct ModuleTests {
  @Test func mlpNamesShapesAndCount() {
    var generator = RandomGenerator(seed: 0)
    let model = MLP(2, [16, 16, 1], generator: &generator)
    let named = model.namedParameters()
    #expect(
      named.map(\.name) == [
        "layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias", "layers.2.weight", "layers.2.bias",
      ])
    #expect(named.map(\.parameter.shape) == [[16, 2], [16], [16, 16], [16], [1, 16], [1]])
    #expect(model.parameters().reduce(0) { $0 + $1.count } == 337)  // micrograd's MLP(2, [16, 16, 1])
    #expect(model.parameters().allSatisfy { $0.requiresGrad && $0.isLeaf })
  }

  @Test func reflectionFindsEveryKindOfMember() {
    let block = Block()
    #expect(
      block.namedParameters().map(\.name) == [
        "baseWeight", "scale", "inner.weight", "inner.bias", "present.weight",
        "heads.0.weight", "heads.0.bias", "heads.1.weight", "extras.0", "extras.1", "nested.1.0",
      ])
    _ = block.later
    #expect(block.namedParameters().last?.name == "later")
    #expect(block.parameters()[1] === block.scale)
    #expect(block.parameters()[2] === block.inner.weight)
  }

  @Test func sequentialNamesLayersByPosition() {
    var generator = RandomGenerator(seed: 2)
    let first = Linear(2, 4, generator: &generator)
    let second = Linear(4, 1, generator: &generator)
    let model = Sequential(first, Activation { relu($0) }, second)
    #expect(model.namedParameters().map(\.name) == ["0.weight", "0.bias", "2.weight", "2.bias"])
    let x = Tensor([[0.5, -1], [2, 0.25], [-1, -1]])
    #expect(model(x).scalars == second(relu(first(x))).scalars)
  }

  @Test func mlpIsLinearLayersWithReLUBetween() {
    var generator = RandomGenerator(seed: 3)
    let model = MLP(3, [5, 4, 2], generator: &generator)
    let x = Tensor([[1, -2, 0.5], [0.25, 0.75, -1]])
    let layers = model.layers
    let expected = layers[2](relu(layers[1](relu(layers[0](x)))))
    #expect(model(x).shape == [2, 2])
    #expect(model(x).scalars == expected.scalars)
  }

  @Test func zeroGradClearsEveryParameter() {
    var generator = RandomGenerator(seed: 4)
    let model = MLP(2, [3, 1], generator: &generator)
    model(Tensor([[1, 2]])).sum().backward()
    #expect(model.parameters().allSatisfy { $0.grad != nil })
    model.zeroGrad()
    #expect(model.parameters().allSatisfy { $0.grad == nil })
  }

  @Test func defaultGeneratorFollowsManualSeed() {
    manualSeed(11)
    let first = MLP(2, [3, 1]).parameters().flatMap(\.scalars)
    manualSeed(11)
    let second = MLP(2, [3, 1]).parameters().flatMap(\.scalars)
    #expect(first == second)
  }
}
