// SafeTensors: reading and writing named tensors in the safetensors format.

import Foundation

/// Why a .safetensors file could not be read or written, or did not fit a model.
public struct SafeTensorsError: Error, CustomStringConvertible, Equatable, Sendable {
  /// What was wrong.
  public enum Problem: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file could not be read or written.
    case file(FileError)
    /// Shorter than the 8-byte header length.
    case truncated(available: Int)
    /// The header length is beyond the format's 100 MB limit.
    case headerTooLarge(length: UInt64)
    /// The header length runs past the end of the file.
    case headerBeyondFile(length: UInt64, available: Int)
    /// The header is not a JSON object of the expected form; `offset` is the byte in the file.
    case invalidHeader(offset: Int, message: String)
    /// A tensor's entry in the header is wrong.
    case invalidEntry(name: String, message: String)
    /// A tensor's dtype is known to the format but not converted by this reader.
    case unsupportedDtype(name: String, dtype: String)
    /// The tensors do not tile the data buffer exactly: a gap, an overlap or bytes left over.
    case layout(String)
    /// A name that cannot be written (`__metadata__` is reserved).
    case reservedName(String)
    /// The file's names differ from the model's parameters.
    case parameterNames(missing: [String], unexpected: [String])
    /// Tensors whose shapes differ from the model's parameters: name, model shape, file shape.
    case parameterShapes([String])

    public var description: String {
      switch self {
      case .file(let error): error.description
      case .truncated(let available):
        "truncated: the header length needs 8 bytes, only \(available) remain"
      case .headerTooLarge(let length):
        "header length \(length) exceeds the limit of \(safeTensorsHeaderLimit) bytes"
      case .headerBeyondFile(let length, let available):
        "header length \(length) runs past the end of the file (\(available) bytes after the length)"
      case .invalidHeader(let offset, let message): "invalid header at byte \(offset): \(message)"
      case .invalidEntry(let name, let message): "tensor \"\(oneLine(name, limit: 60))\": \(message)"
      case .unsupportedDtype(let name, let dtype):
        "tensor \"\(oneLine(name, limit: 60))\": dtype \(dtype) is not supported "
          + "(readable: F32, F64, F16, BF16, I8-I64, U8-U64, BOOL)"
      case .layout(let message): "bad data layout: \(message)"
      case .reservedName(let name): "cannot write a tensor named \(name): the name is reserved for metadata"
      case .parameterNames(let missing, let unexpected):
        [
          missing.isEmpty ? nil : "missing \(nameList(missing))",
          unexpected.isEmpty ? nil : "unexpected \(nameList(unexpected))",
        ]
        .compactMap { $0 }.joined(separator: "; ")
      case .parameterShapes(let mismatches): "shape mismatch: \(nameList(mismatches, quoted: false))"
      }
    }
  }

  /// What was wrong.
  public var problem: Problem
  /// The file's path, or `nil` for data in memory.
  public var path: String?

  /// Creates an error about the file at `path` (nil for data in memory).
  public init(_ problem: Problem, path: String? = nil) {
    self.problem = problem
    self.path = path
  }

  public var description: String {
    if case .file(let error) = problem { return "safetensors: \(error)" }
    return "\(path.map { oneLine($0, limit: 300) } ?? "safetensors data"): \(problem)"
  }
}

/// At most ten names, quoted and on one line, then how many more.
private func nameList(_ names: [String], quoted: Bool = true) -> String {
  let shown = names.prefix(10).map { quoted ? "\"\(oneLine($0, limit: 60))\"" : oneLine($0, limit: 100) }
  let more = names.count > 10 ? " and \(names.count - 10) more" : ""
  return "\(names.count): " + shown.joined(separator: ", ") + more
}

/// The largest header the reference implementation accepts (100 MB).
let safeTensorsHeaderLimit = 100_000_000

/// The element types of the format: its name for each, and nil for those it
/// knows but this reader does not convert.
private let safeTensorsDtypes: [String: StoredElement?] = [
  "BOOL": .bool, "U8": .uint8, "I8": .int8, "I16": .int16, "U16": .uint16, "F16": .float16, "BF16": .bfloat16,
  "I32": .int32, "U32": .uint32, "F32": .float32, "F64": .float64, "I64": .int64, "U64": .uint64,
  "F4": nil, "F6_E2M3": nil, "F6_E3M2": nil, "F8_E5M2": nil, "F8_E4M3": nil, "F8_E8M0": nil, "C64": nil,
]

/// The tensors and metadata of a .safetensors file.
public struct SafeTensorsFile {
  /// The tensors as float32, sorted by name (by UTF-8 bytes, as the format's writer sorts).
  public let tensors: [(name: String, tensor: Tensor)]
  /// The `__metadata__` strings, or nil when the file has none.
  public let metadata: [String: String]?
  /// For each tensor not stored as F32, how it was converted, like "converted float64 to float32".
  public let conversions: [String: String]

  /// Reads the .safetensors file at `path`.
  public init(file path: String) throws(SafeTensorsError) {
    let data: Data
    do { data = try readFileContents(path) } catch { throw SafeTensorsError(.file(error), path: path) }
    do { self = try Self.decode(data) } catch { throw SafeTensorsError(error, path: path) }
  }

  /// Reads tensors from the bytes of a .safetensors file.
  public init(data: Data) throws(SafeTensorsError) {
    do { self = try Self.decode(data) } catch { throw SafeTensorsError(error) }
  }

  private init(
    tensors: [(name: String, tensor: Tensor)], metadata: [String: String]?, conversions: [String: String]
  ) {
    self.tensors = tensors
    self.metadata = metadata
    self.conversions = conversions
  }

  /// The tensor named `name`, if the file has one.
  public subscript(name: String) -> Tensor? { tensors.first { $0.name == name }?.tensor }

  /// The tensors by name.
  public var dictionary: [String: Tensor] {
    var dictionary: [String: Tensor] = [:]
    for (name, tensor) in tensors { dictionary[name] = tensor }
    return dictionary
  }

  /// One tensor's header entry, checked.
  private struct Entry {
    var name: String
    var element: StoredElement
    var shape: [Int]
    var begin: Int
    var end: Int
  }

  private static func decode(_ data: Data) throws(SafeTensorsError.Problem) -> SafeTensorsFile {
    let result = data.withUnsafeBytes { raw in Result { () throws(SafeTensorsError.Problem) in try decode(raw) } }
    return try result.get()
  }

  /// Checks the whole layout before allocating anything for the tensors.
  private static func decode(_ raw: UnsafeRawBufferPointer) throws(SafeTensorsError.Problem) -> SafeTensorsFile {
    guard raw.count >= 8 else { throw .truncated(available: raw.count) }
    let length = UInt64(littleEndian: raw.loadUnaligned(as: UInt64.self))
    guard length <= UInt64(safeTensorsHeaderLimit) else { throw .headerTooLarge(length: length) }
    guard length <= UInt64(raw.count - 8) else { throw .headerBeyondFile(length: length, available: raw.count - 8) }
    let headerEnd = 8 + Int(length)
    let header = UnsafeRawBufferPointer(rebasing: raw[8..<headerEnd])
    guard String(validating: header, as: UTF8.self) != nil else {
      throw .invalidHeader(offset: 8, message: "the header is not UTF-8")
    }
    guard header.first == UInt8(ascii: "{") else {
      throw .invalidHeader(offset: 8, message: "the header does not start with '{'")
    }
    let json: JSONValue
    do { json = try JSONParser.parse(header, fileOffset: 8) } catch {
      throw .invalidHeader(offset: error.offset, message: error.message)
    }
    guard case .object(let members) = json else {
      throw .invalidHeader(offset: 8, message: "the header is \(json.kind), not an object")
    }

    var metadata: [String: String]?
    var entries: [Entry] = []
    for (name, value) in members {
      if name == "__metadata__" {
        if case .null = value { continue }
        metadata = try metadataStrings(value)
      } else {
        entries.append(try entry(name, value))
      }
    }
    try checkLayout(entries, bufferSize: raw.count - headerEnd)

    var tensors: [(name: String, tensor: Tensor)] = []
    var conversions: [String: String] = [:]
    for entry in entries.sorted(by: { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }) {
      let count = entry.shape.reduce(1, *)
      let storage = Storage(count: count)
      let bytes = UnsafeRawBufferPointer(rebasing: raw[(headerEnd + entry.begin)..<(headerEnd + entry.end)])
      conversions[entry.name] = entry.element.convert(bytes, count: count, into: storage.base)
      tensors.append((entry.name, Tensor(storage: storage, shape: Shape(entry.shape), site: CallSite(#fileID, #line))))
    }
    return SafeTensorsFile(tensors: tensors, metadata: metadata, conversions: conversions)
  }

  /// The `__metadata__` object, which must map strings to strings.
  private static func metadataStrings(_ value: JSONValue) throws(SafeTensorsError.Problem) -> [String: String] {
    guard case .object(let members) = value else {
      throw .invalidEntry(name: "__metadata__", message: "expected an object of strings, found \(value.kind)")
    }
    var strings: [String: String] = [:]
    for (key, value) in members {
      guard case .string(let text) = value else {
        throw .invalidEntry(
          name: "__metadata__", message: "the value of \"\(oneLine(key))\" is \(value.kind), not a string")
      }
      strings[key] = text
    }
    return strings
  }

  /// Checks one tensor's entry: dtype, shape, and offsets that span exactly its bytes.
  private static func entry(_ name: String, _ value: JSONValue) throws(SafeTensorsError.Problem) -> Entry {
    func invalid(_ message: String) -> SafeTensorsError.Problem { .invalidEntry(name: name, message: message) }
    guard case .object(let fields) = value else { throw invalid("expected an object, found \(value.kind)") }
    var dtype: String?
    var shape: [Int]?
    var offsets: [Int]?
    for (key, field) in fields {
      switch key {
      case "dtype":
        guard case .string(let text) = field else { throw invalid("dtype is \(field.kind), not a string") }
        dtype = text
      case "shape": shape = try integers(field, "shape", invalid)
      case "data_offsets": offsets = try integers(field, "data_offsets", invalid)
      default: throw invalid("unexpected key \"\(oneLine(key, limit: 40))\" (expected dtype, shape, data_offsets)")
      }
    }
    guard let dtype else { throw invalid("no dtype") }
    guard let shape else { throw invalid("no shape") }
    guard let offsets else { throw invalid("no data_offsets") }
    guard let known = safeTensorsDtypes[dtype] else { throw invalid("unknown dtype \"\(oneLine(dtype, limit: 20))\"") }
    guard let element = known else { throw .unsupportedDtype(name: name, dtype: dtype) }
    guard offsets.count == 2 else { throw invalid("data_offsets has \(offsets.count) numbers, not 2 [begin, end]") }
    let (begin, end) = (offsets[0], offsets[1])
    guard begin <= end else { throw invalid("data_offsets [\(begin), \(end)] end before they begin") }
    guard let count = checkedElementCount(shape) else {
      throw invalid("shape \(oneLine("\(shape)")) has more elements than fit in 64 bits")
    }
    let (byteCount, overflow) = count.multipliedReportingOverflow(by: element.byteCount)
    guard !overflow, byteCount == end - begin else {
      throw invalid(
        "shape \(shape) of \(dtype) needs \(overflow ? "more than 2^63" : String(byteCount)) bytes, "
          + "but data_offsets [\(begin), \(end)] hold \(end - begin)")
    }
    return Entry(name: name, element: element, shape: shape, begin: begin, end: end)
  }

  /// An array of non-negative integers that fit in `Int`.
  private static func integers(
    _ value: JSONValue, _ key: String, _ invalid: (String) -> SafeTensorsError.Problem
  ) throws(SafeTensorsError.Problem) -> [Int] {
    guard case .array(let elements) = value else { throw invalid("\(key) is \(value.kind), not an array") }
    var numbers: [Int] = []
    for element in elements {
      guard case .number(let text) = element, text.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else {
        throw invalid("\(key) must hold non-negative integers, found \(oneLine(describe(element), limit: 30))")
      }
      guard let number = Int(text) else {
        throw invalid("\(key) value \(oneLine(text, limit: 30)) does not fit in 64 bits")
      }
      numbers.append(number)
    }
    return numbers
  }

  private static func describe(_ value: JSONValue) -> String {
    if case .number(let text) = value { return text }
    return value.kind
  }

  /// Checks that the tensors, ordered by offset, tile the buffer with no gap,
  /// no overlap and nothing left over, as the reference implementation requires.
  private static func checkLayout(_ entries: [Entry], bufferSize: Int) throws(SafeTensorsError.Problem) {
    var expected = 0
    var previous: String?
    for entry in entries.sorted(by: { ($0.begin, $0.end) < ($1.begin, $1.end) }) {
      let name = "\"\(oneLine(entry.name, limit: 40))\""
      if entry.begin < expected {
        let other = "\"\(oneLine(previous ?? "", limit: 40))\""
        throw .layout("\(name) [\(entry.begin), \(entry.end)] overlaps \(other), which ends at \(expected)")
      }
      if entry.begin > expected {
        throw .layout("\(name) begins at \(entry.begin), leaving a gap after byte \(expected)")
      }
      guard entry.end <= bufferSize else {
        throw .layout("\(name) ends at \(entry.end), past the \(bufferSize)-byte data buffer")
      }
      expected = entry.end
      previous = entry.name
    }
    if expected != bufferSize {
      throw .layout("the tensors cover \(expected) bytes of a \(bufferSize)-byte data buffer")
    }
  }
}

/// Reads the .safetensors file at `path` into float32 tensors by name
/// (``SafeTensorsFile`` keeps them in name order, with the metadata and
/// conversion notes).
public func readSafeTensors(_ path: String) throws(SafeTensorsError) -> [String: Tensor] {
  try SafeTensorsFile(file: path).dictionary
}

/// Writes `tensors` to `path` in the safetensors format, atomically: see ``safeTensorsData(_:metadata:)``.
public func writeSafeTensors(
  _ tensors: [String: Tensor], metadata: [String: String]? = nil, to path: String
) throws(SafeTensorsError) {
  let data: Data
  do { data = try safeTensorsData(tensors, metadata: metadata) } catch {
    throw SafeTensorsError(error.problem, path: path)
  }
  do { try writeAtomically(data, to: path) } catch { throw SafeTensorsError(.file(error), path: path) }
}

/// The bytes the reference implementation writes for float32 `tensors`:
/// names sorted by UTF-8 bytes, data contiguous in that order, compact JSON
/// with `__metadata__` first (its keys sorted here; the reference's order
/// is a hash map's), padded with spaces to a multiple of 8 bytes.
public func safeTensorsData(_ tensors: [String: Tensor], metadata: [String: String]? = nil) throws(SafeTensorsError)
  -> Data
{
  if tensors["__metadata__"] != nil { throw SafeTensorsError(.reservedName("__metadata__")) }
  let sorted = tensors.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
  var members: [(key: String, json: String)] = []
  if let metadata {
    let pairs = metadata.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
    members.append(("__metadata__", JSONWriter.object(pairs.map { ($0.key, JSONWriter.quoted($0.value)) })))
  }
  var offset = 0
  for (name, tensor) in sorted {
    let end = offset + tensor.count * 4
    let shape = "[" + tensor.shape.dims.map(String.init).joined(separator: ",") + "]"
    members.append((name, "{\"dtype\":\"F32\",\"shape\":\(shape),\"data_offsets\":[\(offset),\(end)]}"))
    offset = end
  }
  var header = Array(JSONWriter.object(members).utf8)
  header += [UInt8](repeating: 0x20, count: (8 - header.count % 8) % 8)
  var data = Data()
  withUnsafeBytes(of: UInt64(header.count).littleEndian) { data.append(contentsOf: $0) }
  data.append(contentsOf: header)
  for (_, tensor) in sorted { tensor.appendLittleEndianValues(to: &data) }
  return data
}
