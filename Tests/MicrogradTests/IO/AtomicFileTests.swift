import Foundation
import Testing

@testable import Micrograd

/// Counts calls, for failing a step on its n-th call.
private final class Counter: @unchecked Sendable {
  var calls = 0
}

@Suite struct AtomicFileTests {
  @Test func writesCreatesAndReplaces() throws {
    try withTemporaryDirectory { directory in
      let path = directory + "/file.bin"
      try writeAtomically(Data("first".utf8), to: path)
      #expect(try readFileContents(path) == Data("first".utf8))
      try writeAtomically(Data("second, longer".utf8), to: URL(fileURLWithPath: path))
      #expect(try readFileContents(path) == Data("second, longer".utf8))
      try writeAtomically(Data(), to: path)
      #expect(try readFileContents(path).isEmpty)
      #expect(directoryListing(directory) == ["file.bin"])
    }
  }

  @Test func aNameOfTheMaximumLengthStillGetsATemporary() throws {
    try withTemporaryDirectory { directory in
      let path = directory + "/" + String(repeating: "n", count: 255)
      try writeAtomically(Data("long".utf8), to: path)
      #expect(try readFileContents(path) == Data("long".utf8))
      #expect(directoryListing(directory).count == 1)
    }
  }

  @Test func relativePathsUseTheCurrentDirectory() {
    #expect(splitPath("model.npy") == (".", "model.npy"))
    #expect(splitPath("/model.npy") == ("/", "model.npy"))
    #expect(splitPath("a/b/model.npy") == ("a/b", "model.npy"))
  }

  @Test func keepsThePermissionsOfTheFileItReplaces() throws {
    try withTemporaryDirectory { directory in
      let path = directory + "/file.bin"
      try writeAtomically(Data("old".utf8), to: path)
      #expect(chmod(path, 0o600) == 0)
      try writeAtomically(Data("new".utf8), to: path)
      var status = stat()
      #expect(stat(path, &status) == 0)
      #expect(status.st_mode & 0o777 == 0o600)
    }
  }

  /// For every step, a failure there leaves the old content (or, after the
  /// rename, the new content) and no temporary file.
  @Test(arguments: AtomicWriteStep.allCases)
  func aFailureAtAnyStepLeavesTheOldFileAndNoTemporary(_ failing: AtomicWriteStep) throws {
    try withTemporaryDirectory { directory in
      let path = directory + "/weights.bin"
      let old = Data("old content".utf8)
      try writeAtomically(old, to: path)
      let new = Data((0..<200_000).map { UInt8($0 & 0xFF) })
      let writes = Counter()
      #expect {
        try writeAtomically(new, to: path, chunk: 65536) { step in
          guard step == failing else { return nil }
          if step == .write {
            // Fail the second write call: a half-written temporary file exists by then.
            writes.calls += 1
            return writes.calls == 2 ? ENOSPC : nil
          }
          return EIO
        }
      } throws: { error in
        guard let error = error as? FileError else { return false }
        expectOneLine(error.description)
        return error.path == path && error.reason == String(cString: strerror(failing == .write ? ENOSPC : EIO))
      }
      let expected = failing == .syncDirectory ? new : old
      #expect(try readFileContents(path) == expected)
      #expect(directoryListing(directory) == ["weights.bin"], "no temporary file left after a failed \(failing)")
    }
  }

  @Test func aRealRenameFailureLeavesNoTemporary() throws {
    try withTemporaryDirectory { directory in
      let path = directory + "/occupied"
      try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
      try Data("x".utf8).write(to: URL(fileURLWithPath: path + "/inside"))
      #expect {
        try writeAtomically(Data("data".utf8), to: path)
      } throws: { error in
        guard let error = error as? FileError else { return false }
        return error.step == .rename
      }
      #expect(directoryListing(directory) == ["occupied"])
      #expect(directoryListing(path) == ["inside"])
    }
  }

  @Test func aMissingDirectoryFailsAtCreation() throws {
    try withTemporaryDirectory { directory in
      #expect(throws: FileError.self) { try writeAtomically(Data("x".utf8), to: directory + "/no/such/file") }
      try Data("x".utf8).write(to: URL(fileURLWithPath: directory + "/plain"))
      #expect {
        try writeAtomically(Data("x".utf8), to: directory + "/plain/child")
      } throws: { error in
        (error as? FileError)?.step == .create && String(describing: error).contains("Not a directory")
      }
      #expect(directoryListing(directory) == ["plain"])
    }
  }

  /// Root ignores directory permissions, so this one runs only as another user.
  @Test(.enabled(if: geteuid() != 0, "root writes into read-only directories"))
  func aReadOnlyDirectoryKeepsTheOldFile() throws {
    try withTemporaryDirectory { directory in
      let path = directory + "/file.bin"
      try writeAtomically(Data("old".utf8), to: path)
      #expect(chmod(directory, 0o555) == 0)
      defer { chmod(directory, 0o755) }
      #expect(throws: FileError.self) { try writeAtomically(Data("new".utf8), to: path) }
      #expect(try readFileContents(path) == Data("old".utf8))
      #expect(directoryListing(directory) == ["file.bin"])
    }
  }

  @Test func readingRefusesDirectoriesAndNamesMissingFiles() throws {
    try withTemporaryDirectory { directory in
      #expect(throws: FileError(path: directory, step: .notRegularFile, reason: "only regular files can be read")) {
        _ = try readFileContents(directory)
      }
      #expect {
        _ = try readFileContents(directory + "/absent")
      } throws: { error in
        let message = String(describing: error)
        return message.hasPrefix("cannot open \(directory)/absent: No such file")
      }
    }
  }

  @Test func messagesQuoteHostileTextOnOneLine() {
    let hostile = "a\nb\r\u{1B}[31m\u{2028}\u{0}é" + String(repeating: "x", count: 500)
    let message = FileError(path: hostile, step: .write, reason: "Disk full").description
    expectOneLine(message)
    #expect(message.contains("a\\nb\\r\\x1b[31m\\u{2028}\\x00é"))
    #expect(message.hasSuffix("xxx: Disk full"))
  }
}
