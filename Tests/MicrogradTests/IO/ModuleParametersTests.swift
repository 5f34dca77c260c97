import Foundation
import Testing

@testable import Micrograd

/// A model with one named parameter, for name and shape mismatches.
private final class Scale: Module {
  let weight: Tensor

  init(_ shape: Shape) {
    weight = Tensor.ones(shape, requiresGrad: true)
  }

  override func forward(_ x: Tensor) -> Tensor { x * weight }
}

@Suite struct ModuleParametersTests {
  @Test func savesAndLoadsAnMLPInPlace() throws {
    var generator = RandomGenerator(seed: 11)
    let trained = MLP(2, [8, 8, 1], generator: &generator)
    let fresh = MLP(2, [8, 8, 1], generator: &generator)
    let input = Tensor.normal([5, 2], generator: &generator)
    #expect(fresh(input).scalars != trained(input).scalars)
    try withTemporaryDirectory { directory in
      let path = directory + "/mlp.safetensors"
      try trained.saveParameters(to: path, metadata: ["epoch": "3"])
      let identities = fresh.parameters().map(ObjectIdentifier.init)
      try fresh.loadParameters(from: path)
      #expect(fresh.parameters().map(ObjectIdentifier.init) == identities, "the same tensors, updated in place")
      #expect(fresh.parameters().map(\.scalars) == trained.parameters().map(\.scalars))
      #expect(fresh(input).scalars == trained(input).scalars)
      #expect(fresh.parameters().filter { !$0.requiresGrad }.isEmpty)
      let file = try SafeTensorsFile(file: path)
      #expect(file.tensors.map(\.name) == trained.namedParameters().map(\.name).sorted())
      #expect(file.metadata == ["epoch": "3"])
      #expect(directoryListing(directory) == ["mlp.safetensors"])
    }
  }

  @Test func namesMustMatchAndNothingChangesWhenTheyDoNot() throws {
    var generator = RandomGenerator(seed: 12)
    let small = MLP(2, [3, 1], generator: &generator)
    let large = MLP(2, [3, 3, 1], generator: &generator)
    try withTemporaryDirectory { directory in
      let path = directory + "/small.safetensors"
      try small.saveParameters(to: path)
      let before = large.parameters().map(\.scalars)
      #expect {
        try large.loadParameters(from: path)
      } throws: { error in
        guard let error = error as? SafeTensorsError else { return false }
        expectOneLine(error.description)
        return error.problem == .parameterNames(missing: ["layers.2.weight", "layers.2.bias"], unexpected: [])
          && error.description.contains(path)
      }
      #expect(large.parameters().map(\.scalars) == before)

      try writeSafeTensors(["weight": Tensor([1, 2]), "bias": Tensor([3])], to: path)
      #expect(throws: SafeTensorsError(.parameterNames(missing: [], unexpected: ["bias"]), path: path)) {
        try Scale([2]).loadParameters(from: path)
      }
      try writeSafeTensors(["weights": Tensor([1, 2])], to: path)
      #expect(throws: SafeTensorsError(.parameterNames(missing: ["weight"], unexpected: ["weights"]), path: path)) {
        try Scale([2]).loadParameters(from: path)
      }
    }
  }

  @Test func shapesMustMatch() throws {
    try withTemporaryDirectory { directory in
      let path = directory + "/scale.safetensors"
      try Scale([2, 3]).saveParameters(to: path)
      let model = Scale([3, 2])
      #expect {
        try model.loadParameters(from: path)
      } throws: { error in
        let message = String(describing: error)
        expectOneLine(message)
        return message.contains("weight is [3, 2] in the model, [2, 3] in the file")
      }
      #expect(model.weight.scalars == [1, 1, 1, 1, 1, 1])
    }
  }

  @Test func convertsOtherDtypesOnLoad() throws {
    let doubles: [Double] = [0.25, -2]
    let bytes = doubles.flatMap { value in withUnsafeBytes(of: value.bitPattern.littleEndian) { Array($0) } }
    try withTemporaryDirectory { directory in
      let path = directory + "/f64.safetensors"
      try safeTensorsFile(#"{"weight":{"dtype":"F64","shape":[2],"data_offsets":[0,16]}}"#, bytes)
        .write(to: URL(fileURLWithPath: path))
      let model = Scale([2])
      try model.loadParameters(from: path)
      #expect(model.weight.scalars == [0.25, -2])
    }
  }

  @Test func errorListsAreCappedAtTenNames() {
    let names = (0..<25).map { "p\($0)" }
    let message = SafeTensorsError(.parameterNames(missing: names, unexpected: ["x\ny"])).description
    expectOneLine(message)
    #expect(message.contains("missing 25: \"p0\""))
    #expect(message.contains("and 15 more"))
    #expect(message.contains("unexpected 1: \"x\\ny\""))
  }
}
