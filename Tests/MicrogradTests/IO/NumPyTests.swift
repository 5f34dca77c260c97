import Foundation
import Testing

@testable import Micrograd

/// The bytes of a .npy file with a hand-written header (not padded unless the text is).
func npyFile(_ header: String, version: UInt8 = 1, data: [UInt8] = []) -> Data {
  let text = Array(header.utf8)
  var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [version, 0]
  if version == 1 {
    bytes += [UInt8(text.count & 0xFF), UInt8(text.count >> 8)]
  } else {
    bytes += [UInt8(text.count & 0xFF), UInt8(text.count >> 8 & 0xFF), UInt8(text.count >> 16 & 0xFF), 0]
  }
  return Data(bytes + text + data)
}

/// The little-endian bytes of float32 values.
func float32Bytes(_ values: [Float]) -> [UInt8] {
  values.flatMap { value in withUnsafeBytes(of: value.bitPattern.littleEndian) { Array($0) } }
}

@Suite struct NumPyTests {
  @Test(arguments: IOFixtures.shared.npy_read)
  func readsWhatNumPyWrites(_ fixture: IOFixtures.NumPyRead) throws {
    let path = IOFixtures.path(fixture.file)
    if let fragment = fixture.error {
      #expect {
        _ = try NumPyArray(npyFile: path)
      } throws: { error in
        let message = String(describing: error)
        expectOneLine(message)
        #expect(message.contains(fragment), "\(message)")
        #expect(message.contains(fixture.file), "the message names the file: \(message)")
        return error is NumPyError
      }
      return
    }
    let array = try NumPyArray(npyFile: path)
    expectBits(array.tensor, fixture.bits ?? [], shape: fixture.shape ?? [], fixture.file)
    #expect(array.version == fixture.version)
    #expect(array.descr == fixture.descr)
    if let fragments = fixture.note {
      let note = try #require(array.conversion, "\(fixture.file) was converted, but says nothing")
      expectOneLine(note)
      for fragment in fragments { #expect(note.contains(fragment), "\(note)") }
      #expect(note.contains(fixture.descr))
    } else {
      #expect(array.conversion == nil)
    }
    let tensor = try Tensor(npyFile: path)
    #expect(tensor.scalars.map(\.bitPattern) == array.tensor.scalars.map(\.bitPattern))
    #expect(!tensor.requiresGrad)
  }

  @Test(arguments: IOFixtures.shared.npy_write)
  func writesWhatNumPyWrites(_ fixture: IOFixtures.NumPyWrite) throws {
    let expected = try IOFixtures.fixtureData(fixture.file)
    let written = tensor(bits: fixture.bits, shape: fixture.shape).npyData(version: fixture.version)
    #expect(written == expected, "\(fixture.file): \(written.count) bytes vs numpy's \(expected.count)")
    if fixture.version == nil {
      #expect(tensor(bits: fixture.bits, shape: fixture.shape).npyData() == expected)
    }
  }

  @Test func fixturesCoverEveryDtypeVersionAndError() {
    let fixtures = IOFixtures.shared.npy_read
    let descrs = Set(fixtures.filter { $0.error == nil }.map(\.descr))
    #expect(
      descrs.isSuperset(of: ["<f4", "<f8", "<f2", "|i1", "<i2", "<i4", "<i8", "|u1", "<u2", "<u4", "<u8", "|b1"]))
    #expect(Set(fixtures.map(\.version)) == ["1.0", "2.0", "3.0"])
    #expect(fixtures.contains { $0.file.contains("fortran") && $0.error == nil })
    #expect(fixtures.filter { $0.error != nil }.count >= 6)
    #expect(IOFixtures.shared.npy_write.count >= 10)
  }

  @Test func roundTripsThroughBytesAndFiles() throws {
    var generator = RandomGenerator(seed: 7)
    let shapes: [Shape] = [[], [1], [7], [3, 4], [2, 3, 4], [0], [2, 0, 3], [1, 1, 1, 1, 5]]
    try withTemporaryDirectory { directory in
      for (i, shape) in shapes.enumerated() {
        let original = Tensor.normal(shape, generator: &generator)
        let decoded = try NumPyArray(npyData: original.npyData())
        #expect(decoded.tensor.shape == shape)
        #expect(decoded.tensor.scalars == original.scalars)
        #expect(decoded.conversion == nil)
        #expect(decoded.version == "1.0")
        let path = directory + "/array\(i).npy"
        try original.writeNPY(to: path)
        #expect(try Tensor(npyFile: path).scalars == original.scalars)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == original.npyData())
      }
      #expect(directoryListing(directory).count == shapes.count, "no temporary file left behind")
    }
  }

  @Test func everyHeaderIsAlignedToSixtyFourBytes() throws {
    for rank in 0..<40 {
      let data = Tensor.zeros(Shape([Int](repeating: 1, count: rank))).npyData()
      let headerLength = Int(data[8]) | Int(data[9]) << 8
      #expect((10 + headerLength) % 64 == 0)
      #expect(data[10 + headerLength - 1] == 0x0A)
    }
  }

  @Test func switchesToVersionTwoWhenTheHeaderOutgrowsSixtyFourKilobytes() throws {
    let rank = 22_000  // "1, " per dimension: a header over 65535 bytes
    let original = Tensor([3.5], shape: Shape([Int](repeating: 1, count: rank)))
    let data = original.npyData()
    #expect(data[6] == 2)
    let decoded = try NumPyArray(npyData: data)
    #expect(decoded.version == "2.0")
    #expect(decoded.tensor.shape.rank == rank)
    #expect(decoded.tensor.scalars == [3.5])
  }

  @Test func toleratesTheSpellingsOfPythonLiterals() throws {
    let values = float32Bytes([1, 2, 3, 4, 5, 6])
    let headers = [
      "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }",
      "{'descr':'<f4','fortran_order':False,'shape':(2,3)}",
      "{\"shape\": (2, 3), \"fortran_order\": False, \"descr\": \"<f4\"}",
      " \t{ 'descr' : '<f4' ,\n 'fortran_order' : False , 'shape' : ( 2 , 3 , ) , }   \n",
      "{'descr': '<f4', 'fortran_order': False, 'shape': (2L, 3L), }",
      "{'descr': '<f4', 'fortran_order': False, 'shape': (0_2, 3), }",
    ]
    for header in headers {
      let array = try NumPyArray(npyData: npyFile(header, data: values))
      #expect(array.tensor.shape == [2, 3], "\(header)")
      #expect(array.tensor.scalars == [1, 2, 3, 4, 5, 6], "\(header)")
    }
    let oneDimensional = try NumPyArray(
      npyData: npyFile("{'descr': '<f4', 'fortran_order': True, 'shape': (6,)}", data: values))
    #expect(oneDimensional.tensor.scalars == [1, 2, 3, 4, 5, 6], "Fortran order means nothing in one dimension")
    let columnMajor = try NumPyArray(
      npyData: npyFile("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3)}", data: values))
    #expect(columnMajor.tensor.scalars == [1, 3, 5, 2, 4, 6])
  }

  /// Headers numpy would refuse, and a fragment of the error for each.
  static let malformedHeaders: [(header: String, fragment: String)] = [
    ("", "expected '{'"),
    ("[]", "expected '{'"),
    ("{'descr': '<f4', 'fortran_order': False}", "lacks shape"),
    ("{}", "lacks descr, fortran_order, shape"),
    ("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'extra': 1}", "unexpected key 'extra'"),
    ("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (2,)}", "appears twice"),
    ("{'descr': '<f4', 'fortran_order': 0, 'shape': (2,)}", "True or False"),
    ("{'descr': '<f4', 'fortran_order': Fals, 'shape': (2,)}", "True or False"),
    ("{'descr': '<f4', 'fortran_order': False, 'shape': (2)}", "not a tuple"),
    ("{'descr': '<f4', 'fortran_order': False, 'shape': (-2,)}", "negative"),
    ("{'descr': '<f4', 'fortran_order': False, 'shape': [2]}", "expected '('"),
    ("{'descr': '<f4', 'fortran_order': False, 'shape': (2,,)}", "expected a dimension"),
    ("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3}", "expected ',' or ')'"),
    ("{'descr': '<f4', 'fortran_order': False, 'shape': (2,)", "expected ',' or '}'"),
    ("{'descr': '<f4', 'fortran_order': False, 'shape': (2,)} x", "after the header dict"),
    ("{'descr': '<f4', 'fortran_order': False, 'shape': (2,)}}", "after the header dict"),
    ("{'descr': '<f4 'fortran_order': False, 'shape': (2,)}", "expected ',' or '}' after the value of 'descr'"),
    ("{'descr: '<f4', 'fortran_order': False, 'shape': (2,)}", "expected ':'"),
    ("{'descr': '<f4\n', 'fortran_order': False, 'shape': (2,)}", "unterminated string"),
    ("{'descr': '<\\x66', 'fortran_order': False, 'shape': (2,)}", "escape"),
    ("{descr: '<f4', 'fortran_order': False, 'shape': (2,)}", "expected a quoted string"),
    ("{'descr': '<f4', 'fortran_order': False, 'shape': (1000000000000000000000000000000,)}", "does not fit"),
    ("{'descr': '<f4', 'fortran_order': False, 'shape': (4611686018427387904, 4)}", "more elements than fit"),
    ("{'descr': '<f4', 'fortran_order': False, 'shape': (9223372036854775807, 2, 0)}", "more elements than fit"),
    ("{'descr': '<f4', 'fortran_order': False, 'shape': (2305843009213693952,)}", "exceeds the address space"),
    ("{'descr': '<f4', 'fortran_order': False, 'shape': (1152921504606846976,)}", "needs 4611686018427387904 data"),
    ("{'descr': '>f4', 'fortran_order': False, 'shape': (2,)}", "big-endian"),
    ("{'descr': '=f4', 'fortran_order': False, 'shape': (2,)}", "native byte order"),
    ("{'descr': '|f4', 'fortran_order': False, 'shape': (2,)}", "needs a byte order"),
    ("{'descr': '<c8', 'fortran_order': False, 'shape': (2,)}", "unsupported dtype '<c8'"),
    ("{'descr': '<U3', 'fortran_order': False, 'shape': (2,)}", "unsupported dtype '<U3'"),
    ("{'descr': '|O', 'fortran_order': False, 'shape': (2,)}", "unsupported dtype '|O'"),
    ("{'descr': '', 'fortran_order': False, 'shape': (2,)}", "unsupported dtype ''"),
    ("{'descr': 'f4', 'fortran_order': False, 'shape': (2,)}", "unsupported dtype 'f4'"),
    ("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,)}", "structured arrays"),
    ("{'descr': '<f4', 'fortran_order': False, 'shape': (3,)}", "needs 12 data bytes, found 8"),
    ("{'descr': '<f4', 'fortran_order': False, 'shape': (1,)}", "needs 4 data bytes, found 8"),
    ("{'descr': '<f8', 'fortran_order': False, 'shape': (2,)}", "needs 16 data bytes, found 8"),
    ("{'descr': '<f4', 'fortran_order': False, 'shape': ()}", "needs 4 data bytes, found 8"),
    ("{'descr': '<f4', 'fortran_order': False, 'shape': (0,)}", "needs 0 data bytes, found 8"),
    ("{'descr': '<f4', 'fortran_order': False, 'shape': (2,)}\u{0}", "after the header dict"),
  ]

  @Test(arguments: 0..<NumPyTests.malformedHeaders.count)
  func rejectsMalformedHeaders(_ index: Int) {
    let (header, fragment) = Self.malformedHeaders[index]
    let error = numPyError(npyFile(header, data: float32Bytes([1, 2])))
    let message = error?.description ?? "no error"
    #expect(message.contains(fragment), "\(header.debugDescription): \(message)")
    expectOneLine(message)
  }

  @Test func rejectsWrongMagicVersionsAndHeaderEncodings() {
    let valid = Tensor([1, 2]).npyData()
    var badMagic = valid
    badMagic[1] = UInt8(ascii: "n")
    #expect(numPyError(badMagic)?.problem == .notNumPy)
    #expect(numPyError(Data("PK\u{3}\u{4} a zip file, not npy".utf8))?.problem == .notNumPy)
    #expect(
      numPyError(Data([0x93, 0x4E]))?.problem == .truncated(part: "magic string and version", needed: 8, available: 2))
    for (major, minor) in [(0, 0), (1, 1), (4, 0), (255, 255)] as [(UInt8, UInt8)] {
      var data = valid
      data[6] = major
      data[7] = minor
      #expect(numPyError(data)?.problem == .unsupportedVersion(major: major, minor: minor))
    }
    var invalidUTF8 = npyFile("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'caf\u{E9}': 1}", version: 3)
    invalidUTF8[invalidUTF8.firstIndex(of: 0xC3)!] = 0xFF
    #expect(numPyError(invalidUTF8)?.description.contains("must be UTF-8") == true)
    let message =
      numPyError(npyFile("{'descr': '<f\u{7}\n4', 'fortran_order': False, 'shape': (2,)}"))?.description ?? ""
    expectOneLine(message)
  }

  @Test func everyTruncationOfEveryFixtureThrows() throws {
    for fixture in IOFixtures.shared.npy_read
      + IOFixtures.shared.npy_write.map({
        IOFixtures.NumPyRead(file: $0.file, version: "", descr: "", shape: $0.shape, bits: $0.bits)
      })
    {
      let data = try IOFixtures.fixtureData(fixture.file)
      for length in 0..<data.count {
        guard let error = numPyError(data.prefix(length)) else {
          Issue.record("\(fixture.file) cut to \(length) of \(data.count) bytes read without error")
          continue
        }
        expectOneLine(error.description)
      }
      if fixture.error == nil {
        #expect(numPyError(data + [0])?.description.contains("found") == true, "\(fixture.file) with a byte more")
      }
    }
  }

  @Test func headerLengthsBeyondTheFileAreTruncation() {
    var data = Tensor([1, 2]).npyData()
    data[8] = 0xFF
    data[9] = 0xFF
    #expect(numPyError(data)?.problem == .truncated(part: "header", needed: 65535, available: data.count - 10))
    var version2 = Tensor([1, 2]).npyData(version: 2)
    version2.replaceSubrange(8..<12, with: [0xFF, 0xFF, 0xFF, 0xFF])
    #expect(
      numPyError(version2)?.problem == .truncated(part: "header", needed: 4_294_967_295, available: version2.count - 12)
    )
  }

  @Test func fileErrorsNameThePathAndTheReason() throws {
    try withTemporaryDirectory { directory in
      let missing = directory + "/missing.npy"
      #expect {
        _ = try Tensor(npyFile: missing)
      } throws: { error in
        guard let error = error as? NumPyError, case .file(let fileError) = error.problem else { return false }
        expectOneLine(error.description)
        return fileError.step == .open && error.description.contains(missing)
          && error.description.contains("No such file")
      }
      #expect(throws: NumPyError.self) { _ = try Tensor(npyFile: directory) }
      #expect(throws: NumPyError.self) { try Tensor([1]).writeNPY(to: directory + "/no/such/dir/x.npy") }
    }
  }
}
