import Foundation
import Testing

@testable import Micrograd

/// Seeded random byte mutations of valid files: the readers must throw a
/// one-line typed error or return tensors that match their own header, and
/// never trap, hang or allocate beyond the file.
@Suite struct MutationFuzzTests {
  /// One random change: overwrite, flip a bit, insert, delete, truncate,
  /// duplicate a span, or write an extreme little-endian integer somewhere.
  static func mutate(_ data: inout Data, _ generator: inout RandomGenerator) {
    let interesting: [UInt64] = [
      0, 1, 7, 8, 0x7F, 0x80, 0xFF, 0xFFFF, 0x1_0000, 0x7FFF_FFFF, 0xFFFF_FFFF, .max, 1 << 62,
    ]
    let position = data.isEmpty ? 0 : Int.random(in: 0..<data.count, using: &generator)
    switch Int.random(in: 0..<8, using: &generator) {
    case 0 where !data.isEmpty: data[position] = UInt8.random(in: 0...255, using: &generator)
    case 1 where !data.isEmpty: data[position] ^= 1 << UInt8.random(in: 0..<8, using: &generator)
    case 2: data.insert(UInt8.random(in: 0...255, using: &generator), at: position)
    case 3 where !data.isEmpty: data.remove(at: position)
    case 4: data = data.prefix(Int.random(in: 0...data.count, using: &generator))
    case 5 where !data.isEmpty:
      let length = Int.random(in: 1...min(16, data.count - position), using: &generator)
      data.insert(contentsOf: data[position..<(position + length)], at: position)
    case 6 where !data.isEmpty:
      let text = Array("{}[](),:'\" 0123456789-eE.\\TrueFalse<>|f4ui".utf8)
      data[position] = text.randomElement(using: &generator)!
    default:
      var value = interesting.randomElement(using: &generator)!.littleEndian
      let bytes = withUnsafeBytes(of: &value) { Array($0.prefix([1, 2, 4, 8].randomElement(using: &generator)!)) }
      let end = min(data.count, position + bytes.count)
      data.replaceSubrange(position..<end, with: bytes)
    }
  }

  /// Mutates every seed file `rounds` times (1-4 changes each) and checks each outcome with `check`.
  static func fuzz(seeds: [Data], rounds: Int, seed: UInt64, check: (Data) -> String?) {
    var generator = RandomGenerator(seed: seed)
    var failures = 0
    for round in 0..<rounds {
      var data = seeds[round % seeds.count]
      for _ in 0..<Int.random(in: 1...4, using: &generator) { mutate(&data, &generator) }
      if let failure = check(data) {
        failures += 1
        if failures <= 3 { Issue.record("round \(round): \(failure); bytes \(Array(data.prefix(200)))") }
      }
    }
  }

  @Test func numPyReaderSurvivesMutations() throws {
    let seeds =
      try IOFixtures.shared.npy_read.map { try IOFixtures.fixtureData($0.file) }
      + [Tensor([1, 2, 3], shape: [3]).npyData(version: 2), Tensor.zeros([2, 0]).npyData()]
    Self.fuzz(seeds: seeds, rounds: 6000, seed: 20_261_127) { data in
      do {
        let array = try NumPyArray(npyData: data)
        let elementBytes = array.tensor.count * (Int(array.descr.dropFirst(2)) ?? 0)
        return elementBytes <= data.count
          ? nil : "\(array.tensor.shape) of \(array.descr) read from \(data.count) bytes"
      } catch {
        let message = String(describing: error)
        return message.contains(where: \.isNewline) || message.count >= 500
          ? "message \(message.debugDescription)" : nil
      }
    }
  }

  @Test func safeTensorsReaderSurvivesMutations() throws {
    let seeds = try (IOFixtures.shared.safetensors_read + IOFixtures.shared.safetensors_write).map {
      try IOFixtures.fixtureData($0.file)
    }
    Self.fuzz(seeds: seeds, rounds: 6000, seed: 20_261_128) { data in
      do {
        let file = try SafeTensorsFile(data: data)
        let elements = file.tensors.reduce(0) { $0 + $1.tensor.count }
        return elements <= data.count ? nil : "\(elements) elements read from \(data.count) bytes"
      } catch {
        let message = String(describing: error)
        return message.contains(where: \.isNewline) || message.count >= 500
          ? "message \(message.debugDescription)" : nil
      }
    }
  }

  @Test func safeTensorsHeaderSurvivesTextMutations() throws {
    // Mutate the JSON text only and fix up the length, so the parser sees most of the changes.
    let headers = [
      #"{"__metadata__":{"format":"pt"},"a":{"dtype":"F32","shape":[2,1],"data_offsets":[0,8]},"#
        + #""b\u00e9\n":{"dtype":"BF16","shape":[2],"data_offsets":[8,12]}}"#
    ]
    let buffer = [UInt8](repeating: 0x3F, count: 12)
    var generator = RandomGenerator(seed: 99)
    var accepted = 0
    for round in 0..<4000 {
      var text = Data(headers[0].utf8)
      for _ in 0..<Int.random(in: 1...3, using: &generator) { Self.mutate(&text, &generator) }
      let data = Data(withUnsafeBytes(of: UInt64(text.count).littleEndian) { Array($0) }) + text + buffer
      if let error = safeTensorsError(data) {
        if error.description.contains(where: \.isNewline) { Issue.record("round \(round): \(error.description)") }
      } else {
        accepted += 1
      }
    }
    #expect(accepted > 0, "some mutations (inside strings, say) still read")
  }
  @Test func numPyHeaderSurvivesTextMutations() {
    let header = "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }"
    let values = float32Bytes([1, 2, 3, 4, 5, 6])
    var generator = RandomGenerator(seed: 98)
    var accepted = 0
    for round in 0..<4000 {
      var text = Data(header.utf8)
      for _ in 0..<Int.random(in: 1...3, using: &generator) { Self.mutate(&text, &generator) }
      let version = UInt8.random(in: 1...3, using: &generator)
      if let error = numPyError(npyFile(String(decoding: text, as: UTF8.self), version: version, data: values)) {
        if String(describing: error).contains(where: \.isNewline) { Issue.record("round \(round): \(error)") }
      } else {
        accepted += 1
      }
    }
    #expect(accepted > 0, "some mutations (spacing, say) still read")
  }

  /// Every byte of every header set to each of a few telling values, one at a time.
  @Test func everySingleByteCorruptionOfAHeaderIsHandled() throws {
    let replacements: [UInt8] = [
      0x00, 0x09, 0x0A, 0x20, 0x22, 0x27, 0x28, 0x2C, 0x30, 0x39, 0x5B, 0x7B, 0x7D, 0x7F, 0xC3, 0xFF,
    ]
    let npy = try IOFixtures.fixtureData("npy/fortran_f4.npy")
    let safetensors = try IOFixtures.fixtureData("safetensors/mixed.safetensors")
    let safetensorsHeaderEnd = 8 + Int(safetensors[0]) + Int(safetensors[1]) << 8
    var outcomes = (read: 0, refused: 0)
    for (data, headerEnd, isNumPy) in [(npy, 128, true), (safetensors, safetensorsHeaderEnd, false)] {
      for position in 0..<headerEnd {
        for value in replacements where data[position] != value {
          var corrupted = data
          corrupted[position] = value
          let message = isNumPy ? numPyError(corrupted)?.description : safeTensorsError(corrupted)?.description
          if let message {
            outcomes.refused += 1
            if message.contains(where: \.isNewline) { Issue.record("byte \(position) = \(value): \(message)") }
          } else {
            outcomes.read += 1
          }
        }
      }
    }
    #expect(outcomes.refused > 1000)
  }
}
