import Foundation
import Testing

@testable import Micrograd

/// The bytes of a .safetensors file with a hand-written header (unpadded) and data buffer.
func safeTensorsFile(_ header: String, _ buffer: [UInt8] = []) -> Data {
  let text = Array(header.utf8)
  return Data(withUnsafeBytes(of: UInt64(text.count).littleEndian) { Array($0) } + text + buffer)
}

/// The tensors of a fixture case, by name.
func tensors(of fixture: IOFixtures.SafeTensorsCase) -> [String: Tensor] {
  var tensors: [String: Tensor] = [:]
  for entry in fixture.tensors ?? [] { tensors[entry.name] = tensor(bits: entry.bits, shape: entry.shape) }
  return tensors
}

@Suite struct SafeTensorsTests {
  @Test(arguments: IOFixtures.shared.safetensors_read)
  func readsWhatTheReferenceWrites(_ fixture: IOFixtures.SafeTensorsCase) throws {
    let path = IOFixtures.path(fixture.file)
    if let fragment = fixture.error {
      #expect {
        _ = try readSafeTensors(path)
      } throws: { error in
        let message = String(describing: error)
        expectOneLine(message)
        #expect(message.contains(fragment), "\(message)")
        return error is SafeTensorsError
      }
      return
    }
    let file = try SafeTensorsFile(file: path)
    let expected = fixture.tensors ?? []
    #expect(file.tensors.map(\.name) == expected.map(\.name).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) })
    for entry in expected {
      let tensor = try #require(file[entry.name], "\(entry.name) missing")
      expectBits(tensor, entry.bits, shape: entry.shape, "\(fixture.file) \(entry.name)")
      if let fragment = entry.note {
        let note = try #require(file.conversions[entry.name], "\(entry.name) was converted, but says nothing")
        #expect(note.contains(fragment), "\(note)")
        expectOneLine(note)
      } else {
        #expect(file.conversions[entry.name] == nil, "\(entry.name) is F32")
      }
    }
    #expect(file.metadata == fixture.metadata)
    #expect(try readSafeTensors(path).keys.sorted() == expected.map(\.name).sorted())
  }

  @Test(arguments: IOFixtures.shared.safetensors_write)
  func writesWhatTheReferenceWrites(_ fixture: IOFixtures.SafeTensorsCase) throws {
    let expected = try IOFixtures.fixtureData(fixture.file)
    let written = try safeTensorsData(tensors(of: fixture), metadata: fixture.metadata)
    #expect(written == expected, "\(fixture.file): \(written.count) bytes vs the reference's \(expected.count)")
    let reread = try SafeTensorsFile(data: expected)
    #expect(reread.metadata == fixture.metadata)
    for entry in fixture.tensors ?? [] {
      expectBits(try #require(reread[entry.name]), entry.bits, shape: entry.shape, entry.name)
    }
  }

  @Test func fixturesCoverMixedDtypesMetadataAndErrors() {
    let read = IOFixtures.shared.safetensors_read
    #expect(read.contains { $0.metadata != nil && ($0.tensors?.count ?? 0) >= 10 })
    #expect(read.contains { $0.error != nil })
    #expect(IOFixtures.shared.safetensors_write.contains { $0.metadata?.isEmpty == false })
    #expect(IOFixtures.shared.safetensors_write.contains { $0.tensors?.isEmpty == true })
  }

  @Test func roundTripsWithMetadataAndKeepsTheReferenceStructure() throws {
    var generator = RandomGenerator(seed: 3)
    let originals: [String: Tensor] = [
      "zeta": Tensor.normal([2, 3], generator: &generator), "alpha": Tensor.normal([], generator: &generator),
      "mid.weight": Tensor.normal([4, 1, 2], generator: &generator), "empty": Tensor.zeros([0, 5]),
      "Ünïcode ✓": Tensor.normal([3], generator: &generator),
    ]
    let metadata = ["format": "pt", "b": "2", "a": "x\ny \"z\""]
    try withTemporaryDirectory { directory in
      let path = directory + "/model.safetensors"
      try writeSafeTensors(originals, metadata: metadata, to: path)
      let file = try SafeTensorsFile(file: path)
      #expect(file.metadata == metadata)
      #expect(file.conversions.isEmpty)
      #expect(
        file.tensors.map(\.name)
          == ["Ünïcode ✓", "alpha", "empty", "mid.weight", "zeta"].sorted {
            $0.utf8.lexicographicallyPrecedes($1.utf8)
          })
      for (name, original) in originals {
        #expect(file[name]?.shape == original.shape)
        #expect(file[name]?.scalars == original.scalars)
      }
      #expect(directoryListing(directory) == ["model.safetensors"])

      // The structure the reference implementation expects, checked with an independent JSON parser.
      let data = try Data(contentsOf: URL(fileURLWithPath: path))
      let length = Int(data.prefix(8).withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) })
      #expect(length % 8 == 0)
      let header = try #require(
        try JSONSerialization.jsonObject(with: data.subdata(in: 8..<(8 + length))) as? [String: Any])
      #expect(header["__metadata__"] as? [String: String] == metadata)
      var end = 0
      for name in file.tensors.map(\.name) {
        let entry = try #require(header[name] as? [String: Any])
        #expect(entry["dtype"] as? String == "F32")
        #expect(entry["shape"] as? [Int] == originals[name]!.shape.dims)
        let offsets = try #require(entry["data_offsets"] as? [Int])
        #expect(offsets == [end, end + originals[name]!.count * 4], "contiguous, in name order")
        end = offsets[1]
      }
      #expect(8 + length + end == data.count)
    }
  }

  @Test func readsTheOtherDtypesByHand() throws {
    let doubles: [Double] = [0.5, -1e300, 1e-300]
    let bytes = doubles.flatMap { value in withUnsafeBytes(of: value.bitPattern.littleEndian) { Array($0) } }
    let file = try SafeTensorsFile(
      data: safeTensorsFile(
        #"{"d":{"dtype":"F64","shape":[3],"data_offsets":[0,24]},"#
          + #""h":{"dtype":"F16","shape":[2],"data_offsets":[24,28]}}"#,
        bytes + [0x00, 0x3C, 0x01, 0x00]))
    #expect(file["d"]?.scalars == [0.5, -.infinity, 0])
    #expect(file.conversions["d"] == "converted float64 to float32 (1 finite value overflowed to infinity)")
    #expect(file["h"]?.scalars == [1, 0x1p-24])
    #expect(file.conversions["h"] == "converted float16 to float32")
  }

  @Test func halfPrecisionConvertsExactly() {
    #expect(floatFromHalf(0x3C00) == 1)
    #expect(floatFromHalf(0xC000) == -2)
    #expect(floatFromHalf(0x7BFF) == 65504)
    #expect(floatFromHalf(0x0001) == 0x1p-24)
    #expect(floatFromHalf(0x03FF) == 0x1.ff8p-15)
    #expect(floatFromHalf(0x8000).bitPattern == (-0.0 as Float).bitPattern)
    #expect(floatFromHalf(0x7C00) == .infinity)
    #expect(floatFromHalf(0xFC00) == -.infinity)
    #expect(floatFromHalf(0x7E00).isNaN)
    for bits in UInt16.min...UInt16.max where (bits & 0x7C00) != 0x7C00 {
      // Every finite half survives a round trip through Double's exact arithmetic.
      let value = floatFromHalf(bits)
      let exponent = Int(bits >> 10 & 0x1F)
      let mantissa = Double(bits & 0x3FF)
      let exact = exponent == 0 ? mantissa * 0x1p-24 : (1 + mantissa / 1024) * pow(2, Double(exponent - 15))
      if Double(value.magnitude) != exact { Issue.record("half 0x\(String(bits, radix: 16)) gave \(value)") }
    }
  }

  /// Headers and buffers the reader must refuse, and a fragment of each error.
  static let malformed: [(header: String, buffer: [UInt8], fragment: String)] = [
    ("", [], "does not start with '{'"),
    (" {}", [], "does not start with '{'"),
    ("[]", [], "does not start with '{'"),
    ("{", [], "expected a string key"),
    ("{}x", [], "after the JSON value"),
    (#"{"a":}"#, [], "expected a JSON value"),
    (#"{"a" 1}"#, [], "expected ':'"),
    (#"{"a":1,}"#, [], "expected a string key"),
    (#"{"a":[1,]}"#, [], "expected a JSON value"),
    (#"{"a":[1 2]}"#, [], "expected ',' or ']'"),
    (#"{"a":1 "b":2}"#, [], "expected ',' or '}'"),
    (#"{a:1}"#, [], "expected a string key"),
    (#"{"a":tru}"#, [], "expected true"),
    (#"{"a":01}"#, [], "leading zeros"),
    (#"{"a":1.}"#, [], "digits after '.'"),
    (#"{"a":1e}"#, [], "exponent"),
    (#"{"a":-}"#, [], "expected digits"),
    (#"{"a":"\q"}"#, [], "invalid escape"),
    (#"{"a":"\ud800"}"#, [], "lone surrogate"),
    (#"{"a":"\udc00"}"#, [], "lone surrogate"),
    (#"{"a":"\ud800\u0041"}"#, [], "invalid surrogate pair"),
    (#"{"a":"\u12G4"}"#, [], "four hex digits"),
    ("{\"a\":\"tab\there\"}", [], "control character byte 0x09"),
    (#"{"a":"open}"#, [], "unterminated string"),
    (
      "{\"a\":" + String(repeating: "[", count: 200) + String(repeating: "]", count: 200) + "}", [],
      "nested more than 128"
    ),
    (#"{"x":1,"x":2}"#, [], "duplicate key \"x\""),
    (#"{"x":1}"#, [], "expected an object, found a number"),
    (#"{"x":{"shape":[1],"data_offsets":[0,4]}}"#, [0, 0, 0, 0], "no dtype"),
    (#"{"x":{"dtype":"F32","data_offsets":[0,4]}}"#, [0, 0, 0, 0], "no shape"),
    (#"{"x":{"dtype":"F32","shape":[1]}}"#, [0, 0, 0, 0], "no data_offsets"),
    (#"{"x":{"dtype":"F32","shape":[1],"data_offsets":[0,4],"y":1}}"#, [0, 0, 0, 0], "unexpected key \"y\""),
    (#"{"x":{"dtype":"F33","shape":[1],"data_offsets":[0,4]}}"#, [0, 0, 0, 0], "unknown dtype \"F33\""),
    (#"{"x":{"dtype":32,"shape":[1],"data_offsets":[0,4]}}"#, [0, 0, 0, 0], "dtype is a number"),
    (#"{"x":{"dtype":"F8_E5M2","shape":[4],"data_offsets":[0,4]}}"#, [0, 0, 0, 0], "F8_E5M2 is not supported"),
    (#"{"x":{"dtype":"C64","shape":[],"data_offsets":[0,8]}}"#, [0, 0, 0, 0, 0, 0, 0, 0], "C64 is not supported"),
    (#"{"x":{"dtype":"F32","shape":1,"data_offsets":[0,4]}}"#, [0, 0, 0, 0], "shape is a number, not an array"),
    (#"{"x":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}"#, [0, 0, 0, 0], "non-negative integers, found -1"),
    (#"{"x":{"dtype":"F32","shape":[1.0],"data_offsets":[0,4]}}"#, [0, 0, 0, 0], "non-negative integers, found 1.0"),
    (#"{"x":{"dtype":"F32","shape":[1e0],"data_offsets":[0,4]}}"#, [0, 0, 0, 0], "non-negative integers"),
    (#"{"x":{"dtype":"F32","shape":["1"],"data_offsets":[0,4]}}"#, [0, 0, 0, 0], "found a string"),
    (#"{"x":{"dtype":"F32","shape":[1],"data_offsets":[0,4,8]}}"#, [0, 0, 0, 0], "3 numbers, not 2"),
    (#"{"x":{"dtype":"F32","shape":[1],"data_offsets":[4,0]}}"#, [0, 0, 0, 0], "end before they begin"),
    (
      #"{"x":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}"#, [0, 0, 0, 0],
      "needs 8 bytes, but data_offsets [0, 4] hold 4"
    ),
    (#"{"x":{"dtype":"F64","shape":[1],"data_offsets":[0,4]}}"#, [0, 0, 0, 0], "needs 8 bytes"),
    (
      #"{"x":{"dtype":"F32","shape":[99999999999999999999],"data_offsets":[0,4]}}"#, [0, 0, 0, 0],
      "does not fit in 64 bits"
    ),
    (
      #"{"x":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,4]}}"#, [0, 0, 0, 0],
      "more elements than fit"
    ),
    (#"{"x":{"dtype":"F32","shape":[9223372036854775807,2,0],"data_offsets":[0,0]}}"#, [], "more elements than fit"),
    (#"{"x":{"dtype":"F32","shape":[2305843009213693952],"data_offsets":[0,4]}}"#, [0, 0, 0, 0], "more than 2^63"),
    (#"{"x":{"dtype":"F32","shape":[1],"data_offsets":[0,18446744073709551616]}}"#, [0, 0, 0, 0], "does not fit"),
    (
      #"{"x":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, [0, 0, 0, 0, 0, 0, 0, 0], "leaving a gap after byte 0"
    ),
    (#"{"x":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#, [0, 0, 0, 0, 0], "cover 4 bytes of a 5-byte"),
    (#"{"x":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#, [0, 0], "past the 2-byte data buffer"),
    (#"{"x":{"dtype":"F32","shape":[1],"data_offsets":[1152921504606846976,1152921504606846980]}}"#, [], "gap"),
    (
      #"{"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"y":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#,
      [UInt8](repeating: 0, count: 8), "\"y\" [4, 8] overlaps \"x\", which ends at 8"
    ),
    (
      #"{"x":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"y":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#,
      [0, 0, 0, 0], "overlaps"
    ),
    (#"{"__metadata__":[]}"#, [], "expected an object of strings, found an array"),
    (#"{"__metadata__":{"k":1}}"#, [], "the value of \"k\" is a number"),
    (#"{"__metadata__":{"k":"v","k":"w"}}"#, [], "duplicate key"),
  ]

  @Test(arguments: 0..<SafeTensorsTests.malformed.count)
  func rejectsMalformedFiles(_ index: Int) {
    let (header, buffer, fragment) = Self.malformed[index]
    let message = safeTensorsError(safeTensorsFile(header, buffer))?.description ?? "no error"
    #expect(message.contains(fragment), "\(header): \(message)")
    expectOneLine(message)
  }

  @Test func rejectsBadHeaderLengthsAndEncodings() {
    for length in 0..<8 {
      #expect(safeTensorsError(Data(repeating: 0, count: length))?.problem == .truncated(available: length))
    }
    let header = { (length: UInt64) in Data(withUnsafeBytes(of: length.littleEndian) { Array($0) } + Array("{}".utf8)) }
    #expect(safeTensorsError(header(100_000_001))?.problem == .headerTooLarge(length: 100_000_001))
    #expect(safeTensorsError(header(.max))?.problem == .headerTooLarge(length: .max))
    #expect(safeTensorsError(header(3))?.problem == .headerBeyondFile(length: 3, available: 2))
    #expect(safeTensorsError(header(100_000_000))?.problem == .headerBeyondFile(length: 100_000_000, available: 2))
    var invalidUTF8 = safeTensorsFile(#"{"__metadata__":{"k":"caf\#u{E9}"}}"#)
    invalidUTF8[invalidUTF8.firstIndex(of: 0xC3)!] = 0xFF
    #expect(safeTensorsError(invalidUTF8)?.description.contains("not UTF-8") == true)
    #expect(safeTensorsError(safeTensorsFile("{}  \n\t\r ")) == nil, "whitespace after the object is padding")
    #expect(safeTensorsError(safeTensorsFile(#"{"__metadata__":null}"#)) == nil)
    let zeroSized = safeTensorsFile(
      #"{"a":{"dtype":"F32","shape":[0,3],"data_offsets":[0,0]},"b":{"dtype":"BOOL","shape":[],"data_offsets":[0,1]}}"#,
      [1])
    #expect(safeTensorsError(zeroSized) == nil)
  }

  @Test func everyTruncationOfEveryFixtureThrows() throws {
    let fixtures = IOFixtures.shared.safetensors_read.filter { $0.error == nil } + IOFixtures.shared.safetensors_write
    for fixture in fixtures {
      let data = try IOFixtures.fixtureData(fixture.file)
      for length in 0..<data.count {
        guard let error = safeTensorsError(data.prefix(length)) else {
          Issue.record("\(fixture.file) cut to \(length) of \(data.count) bytes read without error")
          continue
        }
        expectOneLine(error.description)
      }
      #expect(safeTensorsError(data + [0])?.description.contains("data buffer") == true, "\(fixture.file) + 1 byte")
    }
  }

  @Test func refusesTheReservedNameAndReportsFileErrors() throws {
    #expect(throws: SafeTensorsError(.reservedName("__metadata__"))) {
      _ = try safeTensorsData(["__metadata__": Tensor([1])])
    }
    try withTemporaryDirectory { directory in
      #expect {
        _ = try readSafeTensors(directory + "/absent.safetensors")
      } throws: { error in
        guard let error = error as? SafeTensorsError, case .file(let fileError) = error.problem else { return false }
        expectOneLine(error.description)
        return fileError.step == .open && error.description.contains("absent.safetensors")
      }
      #expect(throws: SafeTensorsError.self) {
        try writeSafeTensors(["a": Tensor([1])], to: directory + "/missing/dir/a.safetensors")
      }
      #expect(directoryListing(directory).isEmpty)
    }
  }
}
