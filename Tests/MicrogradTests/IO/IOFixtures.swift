import Foundation
import Testing

@testable import Micrograd

/// The reference files and expectations written by tools/fixtures/io_fixtures.py.
struct IOFixtures: Decodable {
  /// A .npy file numpy wrote, with the values our reader must give or the error it must throw.
  struct NumPyRead: Decodable, CustomTestStringConvertible, Sendable {
    var file: String
    var version: String
    var descr: String
    var shape: [Int]?
    var bits: [UInt32]?
    /// Fragments the conversion note must contain; nil when the file holds float32.
    var note: [String]?
    /// A fragment the error message must contain.
    var error: String?
    var testDescription: String { file }
  }

  /// A float32 array and the bytes numpy writes for it.
  struct NumPyWrite: Decodable, CustomTestStringConvertible, Sendable {
    var file: String
    var shape: [Int]
    var bits: [UInt32]
    var version: Int?
    var testDescription: String { file }
  }

  /// One tensor's expected shape and values.
  struct NamedTensor: Decodable, Sendable {
    var name: String
    var shape: [Int]
    var bits: [UInt32]
    var note: String?
  }

  /// A .safetensors file the reference package wrote.
  struct SafeTensorsCase: Decodable, CustomTestStringConvertible, Sendable {
    var file: String
    var metadata: [String: String]?
    var tensors: [NamedTensor]?
    var error: String?
    var testDescription: String { file }
  }

  var npy_read: [NumPyRead]
  var npy_write: [NumPyWrite]
  var safetensors_read: [SafeTensorsCase]
  var safetensors_write: [SafeTensorsCase]

  /// The expectations, loaded once.
  static let shared: IOFixtures = {
    guard let data = try? fixtureData("expected.json"),
      let fixtures = try? JSONDecoder().decode(IOFixtures.self, from: data)
    else {
      Issue.record("missing or unreadable Fixtures/io/expected.json")
      return IOFixtures(npy_read: [], npy_write: [], safetensors_read: [], safetensors_write: [])
    }
    return fixtures
  }()

  /// The path of a file under Fixtures/io.
  static func path(_ file: String) -> String {
    Bundle.module.resourceURL!.appendingPathComponent("Fixtures/io").appendingPathComponent(file).path
  }

  /// The bytes of a file under Fixtures/io.
  static func fixtureData(_ file: String) throws -> Data {
    try Data(contentsOf: URL(fileURLWithPath: path(file)))
  }
}

/// A tensor made from float32 bit patterns.
func tensor(bits: [UInt32], shape: [Int]) -> Tensor {
  Tensor(bits.map(Float.init(bitPattern:)), shape: Shape(shape))
}

/// Expects `tensor` to hold exactly these float32 bit patterns (NaN payloads included) in this shape.
func expectBits(
  _ tensor: Tensor, _ bits: [UInt32], shape: [Int], _ what: String,
  sourceLocation: Testing.SourceLocation = #_sourceLocation
) {
  #expect(tensor.shape.dims == shape, "\(what): shape", sourceLocation: sourceLocation)
  #expect(tensor.scalars.map(\.bitPattern) == bits, "\(what): values", sourceLocation: sourceLocation)
}

/// Expects an error message to be one printable line of reasonable length.
func expectOneLine(_ message: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
  #expect(!message.isEmpty, sourceLocation: sourceLocation)
  let lines = message.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).count
  #expect(
    lines == 1, "message spans lines: \(message.debugDescription)",
    sourceLocation: sourceLocation)
  #expect(message.count < 500, "message too long: \(message.count) characters", sourceLocation: sourceLocation)
}

/// The error reading `data` as .npy throws, or nil when it reads.
func numPyError(_ data: Data) -> NumPyError? {
  do {
    _ = try NumPyArray(npyData: data)
    return nil
  } catch {
    return error
  }
}

/// The error reading `data` as .safetensors throws, or nil when it reads.
func safeTensorsError(_ data: Data) -> SafeTensorsError? {
  do {
    _ = try SafeTensorsFile(data: data)
    return nil
  } catch {
    return error
  }
}

/// A fresh empty directory under the system's temporary directory, removed by `body`'s caller.
func withTemporaryDirectory(_ body: (String) throws -> Void) throws {
  let path = FileManager.default.temporaryDirectory
    .appendingPathComponent("micrograd-io-\(UUID().uuidString)").path
  try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
  defer { try? FileManager.default.removeItem(atPath: path) }
  try body(path)
}

/// The names in `directory`, sorted.
func directoryListing(_ directory: String) -> [String] {
  ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
}
