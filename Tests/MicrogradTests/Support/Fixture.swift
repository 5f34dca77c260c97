import Foundation
import Testing

@testable import Micrograd

/// One PyTorch reference case written by tools/make-fixtures.sh.
struct FixtureCase: Decodable, CustomTestStringConvertible, Sendable {
  struct Value: Decodable, Sendable {
    var shape: [Int]
    var data: [Float]
    var grad: Bool?
  }

  var name: String
  var inputs: [Value]
  var output: Value
  var cotangent: Value
  var grads: [Value?]

  var testDescription: String { name }
}

private struct FixtureFile: Decodable {
  var cases: [FixtureCase]
}

/// The cases of `Fixtures/<family>.json`.
func fixtureCases(_ family: String) -> [FixtureCase] {
  guard let url = Bundle.module.url(forResource: family, withExtension: "json", subdirectory: "Fixtures"),
    let data = try? Data(contentsOf: url),
    let file = try? JSONDecoder().decode(FixtureFile.self, from: data)
  else {
    Issue.record("missing or unreadable fixture file Fixtures/\(family).json")
    return []
  }
  return file.cases
}

/// Tolerances for comparing float32 results with PyTorch's float64 reference.
///
/// Inputs are identical (rounded to float32 before PyTorch ran), so the gap is
/// float32 rounding in our arithmetic: a few ulps per op, growing with the
/// length of a reduction. `|ours - theirs| <= absolute + relative * |theirs|`.
struct Tolerance {
  var absolute: Float = 1e-5
  var relative: Float = 1e-4
}

/// Expects `actual` to match the reference `expected` in shape and values.
func expectClose(
  _ actual: Tensor, _ expected: FixtureCase.Value, _ what: String, tolerance: Tolerance = Tolerance(),
  sourceLocation: Testing.SourceLocation = #_sourceLocation
) {
  #expect(actual.shape.dims == expected.shape, "\(what): shape", sourceLocation: sourceLocation)
  guard actual.shape.dims == expected.shape else { return }
  let values = actual.scalars
  for i in values.indices {
    let gap = abs(values[i] - expected.data[i])
    if !(gap <= tolerance.absolute + tolerance.relative * abs(expected.data[i])) {
      Issue.record("\(what)[\(i)]: \(values[i]) vs PyTorch \(expected.data[i])", sourceLocation: sourceLocation)
      return
    }
  }
}

/// Runs `op` on a fixture case's inputs and checks the output and, through
/// `backward(cotangent)`, every input gradient against PyTorch.
func checkFixture(
  _ fixture: FixtureCase, _ op: ([Tensor]) -> Tensor, tolerance: Tolerance = Tolerance(),
  sourceLocation: Testing.SourceLocation = #_sourceLocation
) {
  let inputs = fixture.inputs.map { Tensor($0.data, shape: Shape($0.shape), requiresGrad: $0.grad ?? false) }
  let output = op(inputs)
  expectClose(output, fixture.output, "\(fixture.name) output", tolerance: tolerance, sourceLocation: sourceLocation)
  guard fixture.grads.contains(where: { $0 != nil }) else { return }
  output.backward(Tensor(fixture.cotangent.data, shape: Shape(fixture.cotangent.shape)))
  for (i, expected) in fixture.grads.enumerated() {
    guard let expected else { continue }
    guard let grad = inputs[i].grad else {
      Issue.record("\(fixture.name): input \(i) got no gradient", sourceLocation: sourceLocation)
      continue
    }
    expectClose(grad, expected, "\(fixture.name) grad[\(i)]", tolerance: tolerance, sourceLocation: sourceLocation)
  }
}

/// Expects the fixture file and the test's op table to name the same cases, so
/// a case cannot be skipped silently.
func expectCovers(_ family: String, _ table: [String: Any], sourceLocation: Testing.SourceLocation = #_sourceLocation) {
  let names = Set(fixtureCases(family).map(\.name))
  #expect(!names.isEmpty, sourceLocation: sourceLocation)
  #expect(
    names.subtracting(table.keys).sorted() == [], "cases without an op in the test", sourceLocation: sourceLocation)
  #expect(
    Set(table.keys).subtracting(names).sorted() == [], "ops without a fixture case", sourceLocation: sourceLocation)
}

/// Fixture case names mapped to the Swift expression of the same op.
typealias OpTable = [String: @Sendable ([Tensor]) -> Tensor]
