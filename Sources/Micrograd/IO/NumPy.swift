// NumPy: reading and writing tensors in numpy's .npy format (versions 1.0, 2.0 and 3.0).

import Foundation

/// Why a .npy file could not be read or written.
public struct NumPyError: Error, CustomStringConvertible, Equatable, Sendable {
  /// What was wrong.
  public enum Problem: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file could not be read or written.
    case file(FileError)
    /// The first bytes are not `\x93NUMPY`.
    case notNumPy
    /// The data ends before a part that its header promises.
    case truncated(part: String, needed: Int, available: Int)
    /// A format version other than 1.0, 2.0 and 3.0.
    case unsupportedVersion(major: UInt8, minor: UInt8)
    /// The header dict is not what numpy writes; `offset` is the byte in the file.
    case malformedHeader(offset: Int, message: String)
    /// An element type this reader does not convert.
    case unsupportedDtype(descr: String, reason: String)
    /// The data is not exactly as long as the shape and type say.
    case sizeMismatch(shape: [Int], descr: String, expected: Int, actual: Int)
    /// A dimension or the total size does not fit in memory's arithmetic.
    case tooLarge(String)

    public var description: String {
      switch self {
      case .file(let error): error.description
      case .notNumPy: "not a .npy file: it does not start with \\x93NUMPY"
      case .truncated(let part, let needed, let available):
        "truncated: the \(part) needs \(needed) bytes, only \(available) remain"
      case .unsupportedVersion(let major, let minor):
        "unsupported .npy format version \(major).\(minor) (expected 1.0, 2.0 or 3.0)"
      case .malformedHeader(let offset, let message): "malformed header at byte \(offset): \(message)"
      case .unsupportedDtype(let descr, let reason): "unsupported dtype '\(oneLine(descr, limit: 40))': \(reason)"
      case .sizeMismatch(let shape, let descr, let expected, let actual):
        "shape \(shape) of '\(descr)' needs \(expected) data bytes, found \(actual)"
      case .tooLarge(let message): "too large: \(message)"
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
    if case .file(let error) = problem { return "npy: \(error)" }
    return "\(path.map { oneLine($0, limit: 300) } ?? "npy data"): \(problem)"
  }
}

/// A tensor read from a .npy file, with a note when its values were
/// converted to float32.
public struct NumPyArray {
  /// The values as float32, in C (row-major) order.
  public let tensor: Tensor
  /// How the stored values were changed to become float32, like "converted
  /// float64 to float32"; nil when they were float32 already.
  public let conversion: String?
  /// The type as the file spells it, like `<f4`.
  public let descr: String
  /// The .npy format version of the file, like `"1.0"`.
  public let version: String

  /// Reads the .npy file at `path`.
  public init(npyFile path: String) throws(NumPyError) {
    let data: Data
    do { data = try readFileContents(path) } catch { throw NumPyError(.file(error), path: path) }
    do { self = try Self.decode(data) } catch { throw NumPyError(error, path: path) }
  }

  /// Reads an array from the bytes of a .npy file.
  public init(npyData data: Data) throws(NumPyError) {
    do { self = try Self.decode(data) } catch { throw NumPyError(error) }
  }

  private init(tensor: Tensor, conversion: String?, descr: String, version: String) {
    self.tensor = tensor
    self.conversion = conversion
    self.descr = descr
    self.version = version
  }

  /// Decodes a whole .npy file; checks every size before allocating.
  private static func decode(_ data: Data) throws(NumPyError.Problem) -> NumPyArray {
    let result = data.withUnsafeBytes { raw in Result { () throws(NumPyError.Problem) in try decode(raw) } }
    return try result.get()
  }

  private static func decode(_ raw: UnsafeRawBufferPointer) throws(NumPyError.Problem) -> NumPyArray {
    let magic: [UInt8] = [0x93] + Array("NUMPY".utf8)
    guard raw.count >= 8 else {
      throw raw.starts(with: magic.prefix(raw.count))
        ? .truncated(part: "magic string and version", needed: 8, available: raw.count) : .notNumPy
    }
    guard raw.starts(with: magic) else { throw .notNumPy }
    let major = raw[6]
    let minor = raw[7]
    guard (1...3).contains(major) && minor == 0 else { throw .unsupportedVersion(major: major, minor: minor) }
    let lengthSize = major == 1 ? 2 : 4
    guard raw.count >= 8 + lengthSize else {
      throw .truncated(part: "header length", needed: lengthSize, available: raw.count - 8)
    }
    let headerLength =
      major == 1
      ? Int(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt16.self)))
      : Int(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt32.self)))
    let headerStart = 8 + lengthSize
    guard headerLength <= raw.count - headerStart else {
      throw .truncated(part: "header", needed: headerLength, available: raw.count - headerStart)
    }
    let headerBytes = Array(raw[headerStart..<(headerStart + headerLength)])
    if major == 3 && String(validating: headerBytes, as: UTF8.self) == nil {
      throw .malformedHeader(offset: headerStart, message: "a version 3.0 header must be UTF-8")
    }
    var parser = NumPyHeaderParser(headerBytes, fileOffset: headerStart)
    let header = try parser.parse()
    let element = try storedElement(header.descr)

    let dataStart = headerStart + headerLength
    let count = try elementCount(header.shape)
    let (byteCount, overflow) = count.multipliedReportingOverflow(by: element.byteCount)
    if overflow { throw .tooLarge("shape \(header.shape) of '\(header.descr)' exceeds the address space") }
    let available = raw.count - dataStart
    guard byteCount == available else {
      throw .sizeMismatch(shape: header.shape, descr: header.descr, expected: byteCount, actual: available)
    }

    let storage = Storage(count: count)
    let bytes = UnsafeRawBufferPointer(rebasing: raw[dataStart...])
    let conversion: String?
    if header.fortranOrder && header.shape.count > 1 {
      let columnMajor = UnsafeMutablePointer<Float>.allocate(capacity: max(count, 1))
      defer { columnMajor.deallocate() }
      conversion = element.convert(bytes, count: count, into: columnMajor)
      transposeFromFortranOrder(columnMajor, shape: header.shape, into: storage.base)
    } else {
      conversion = element.convert(bytes, count: count, into: storage.base)
    }
    let tensor = Tensor(storage: storage, shape: Shape(header.shape), site: CallSite(#fileID, #line))
    return NumPyArray(
      tensor: tensor, conversion: conversion.map { "\($0) (dtype '\(header.descr)')" }, descr: header.descr,
      version: "\(major).0")
  }

  /// The element type of a numpy type string, or why it cannot be read.
  private static func storedElement(_ descr: String) throws(NumPyError.Problem) -> StoredElement {
    let types: [String: StoredElement] = [
      "b1": .bool, "i1": .int8, "u1": .uint8, "i2": .int16, "u2": .uint16, "i4": .int32, "u4": .uint32,
      "i8": .int64, "u8": .uint64, "f2": .float16, "f4": .float32, "f8": .float64,
    ]
    guard let order = descr.first, let element = types[String(descr.dropFirst())] else {
      throw .unsupportedDtype(
        descr: descr, reason: "only bool, integer and float16/32/64 arrays can be read as float32")
    }
    switch order {
    case "<": return element
    case "|" where element.byteCount == 1, ">" where element.byteCount == 1, "=" where element.byteCount == 1:
      return element
    case ">": throw .unsupportedDtype(descr: descr, reason: "big-endian data is not supported; save it little-endian")
    case "=": throw .unsupportedDtype(descr: descr, reason: "native byte order '=' does not say which order was used")
    case "|": throw .unsupportedDtype(descr: descr, reason: "a multi-byte type needs a byte order, '<' or '>', not '|'")
    default: throw .unsupportedDtype(descr: descr, reason: "unknown byte order '\(oneLine(String(order)))'")
    }
  }

  /// The number of elements of `shape`, without overflowing.
  private static func elementCount(_ shape: [Int]) throws(NumPyError.Problem) -> Int {
    guard let count = checkedElementCount(shape) else {
      throw .tooLarge("the shape \(oneLine("\(shape)")) has more elements than fit in 64 bits")
    }
    return count
  }

  /// Copies column-major (Fortran order) values of `shape` into row-major order.
  private static func transposeFromFortranOrder(
    _ source: UnsafePointer<Float>, shape: [Int], into out: UnsafeMutablePointer<Float>
  ) {
    let count = shape.reduce(1, *)
    guard count > 0 else { return }
    var fortranStrides = [Int](repeating: 1, count: shape.count)
    for axis in 1..<shape.count { fortranStrides[axis] = fortranStrides[axis - 1] * shape[axis - 1] }
    var index = [Int](repeating: 0, count: shape.count)
    var offset = 0
    for i in 0..<count {
      out[i] = source[offset]
      // Step the row-major index like an odometer, keeping the column-major offset in step.
      var axis = shape.count - 1
      while axis >= 0 {
        index[axis] += 1
        offset += fortranStrides[axis]
        if index[axis] < shape[axis] { break }
        offset -= fortranStrides[axis] * shape[axis]
        index[axis] = 0
        axis -= 1
      }
    }
  }
}

extension Tensor {
  /// Reads a tensor from the .npy file at `path`, converting bool, integer
  /// and float16/64 arrays to float32 (``NumPyArray`` tells when it did).
  public convenience init(npyFile path: String) throws(NumPyError) {
    let array = try NumPyArray(npyFile: path)
    self.init(storage: array.tensor.storage, shape: array.tensor.shape, site: CallSite(#fileID, #line))
  }

  /// The bytes numpy's `np.save` writes for this tensor: float32 `<f4`, C
  /// order, format version 1.0, or 2.0 when the header is too long for 1.0.
  public func npyData() -> Data { npyData(version: nil) }

  /// The .npy bytes in format `version` (1, 2 or 3), or the smallest that fits when nil.
  func npyData(version: Int?) -> Data {
    let header = NumPyHeader.float32Text(shape: shape.dims)
    let textLength = header.utf8.count + 1  // and a final newline
    func padding(_ lengthSize: Int) -> Int { 64 - (6 + 2 + lengthSize + textLength) % 64 }
    let major = version ?? (textLength + padding(2) <= Int(UInt16.max) ? 1 : 2)
    let lengthSize = major == 1 ? 2 : 4
    let headerLength = textLength + padding(lengthSize)
    var data = Data([0x93] + Array("NUMPY".utf8) + [UInt8(major), 0])
    if major == 1 {
      withUnsafeBytes(of: UInt16(headerLength).littleEndian) { data.append(contentsOf: $0) }
    } else {
      withUnsafeBytes(of: UInt32(headerLength).littleEndian) { data.append(contentsOf: $0) }
    }
    data.append(contentsOf: header.utf8)
    data.append(contentsOf: [UInt8](repeating: 0x20, count: padding(lengthSize)) + [0x0A])
    appendLittleEndianValues(to: &data)
    return data
  }

  /// Writes this tensor to `path` as .npy (see ``npyData()``), atomically.
  public func writeNPY(to path: String) throws(NumPyError) {
    do { try writeAtomically(npyData(), to: path) } catch { throw NumPyError(.file(error), path: path) }
  }

  /// Appends the values as little-endian float32.
  func appendLittleEndianValues(to data: inout Data) {
    let values = values
    #if _endian(little)
      data.append(UnsafeBufferPointer(start: values, count: count))
    #else
      for i in 0..<count { withUnsafeBytes(of: values[i].bitPattern.littleEndian) { data.append(contentsOf: $0) } }
    #endif
  }
}
