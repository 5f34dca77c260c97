// AtomicFile: whole-file reads and all-or-nothing writes, with errno-based errors.

import Foundation

/// A file system operation that failed: which file, which step, and the
/// system's reason (`strerror`).
public struct FileError: Error, CustomStringConvertible, Equatable, Sendable {
  /// The step of reading or writing that failed.
  public enum Step: String, Sendable, CaseIterable {
    /// Opening the file to read it.
    case open = "cannot open"
    /// The file is a directory, a device or a pipe.
    case notRegularFile = "not a regular file"
    /// Reading the file's bytes.
    case read = "cannot read"
    /// Creating the temporary file beside the destination.
    case create = "cannot create a temporary file for"
    /// Writing the temporary file.
    case write = "cannot write"
    /// Flushing the temporary file to the disk.
    case sync = "cannot flush"
    /// Closing the temporary file.
    case close = "cannot close"
    /// Renaming the temporary file over the destination.
    case rename = "cannot replace"
    /// Flushing the directory entry after the rename; the new content is in place.
    case syncDirectory = "replaced, but cannot flush the directory of"
  }

  /// The file being read or written.
  public var path: String
  /// The step that failed.
  public var step: Step
  /// The system's reason, like "Permission denied".
  public var reason: String

  /// Creates an error for `path` at `step`.
  public init(path: String, step: Step, reason: String) {
    self.path = path
    self.step = step
    self.reason = reason
  }

  public var description: String { "\(step.rawValue) \(oneLine(path, limit: 300)): \(reason)" }
}

/// Writes `data` to `path` so that the file holds either its old content or
/// all of `data`, never a part.
///
/// The bytes go to a new temporary file in the same directory (a unique
/// hidden name, `.<name>.<pid>.<random>.tmp`), which is flushed with `fsync`,
/// given the old file's permissions, renamed over `path`, and then the
/// directory is flushed so the rename survives a crash. On any failure
/// before the rename the temporary file is removed and the destination is
/// untouched. A symbolic link at `path` is replaced by the file, not followed.
public func writeAtomically(_ data: Data, to path: String) throws(FileError) {
  try writeAtomically(data, to: path, injectingFailure: { _ in nil })
}

/// Writes `data` to the file at `url` atomically; see ``writeAtomically(_:to:)``.
public func writeAtomically(_ data: Data, to url: URL) throws(FileError) {
  try writeAtomically(data, to: url.path)
}

/// The steps of ``writeAtomically(_:to:)`` where a test can make it fail.
enum AtomicWriteStep: Sendable, CaseIterable {
  case create, write, sync, close, rename, syncDirectory
}

/// The largest number of bytes handed to one `write` call.
let atomicWriteChunk = 1 << 20

/// ``writeAtomically(_:to:)`` with a hook for tests: before each step (and
/// before each `write` call), `injectingFailure` may return an errno, which
/// fails that step as if the system had returned it.
func writeAtomically(
  _ data: Data, to path: String, chunk: Int = atomicWriteChunk,
  injectingFailure: (AtomicWriteStep) -> Int32?
) throws(FileError) {
  func failure(_ step: FileError.Step, _ code: Int32) -> FileError {
    FileError(path: path, step: step, reason: String(cString: strerror(code)))
  }
  let (directory, name) = splitPath(path)
  // A shortened name keeps the temporary's name within the file system's 255-byte limit.
  let stem = String(decoding: name.utf8.prefix(200), as: UTF8.self)
  var temporary = ""
  var descriptor: Int32 = -1
  for _ in 0..<16 {
    temporary = directory + "/." + stem + ".\(getpid()).\(String(UInt64.random(in: 0...UInt64.max), radix: 16)).tmp"
    if let code = injectingFailure(.create) { throw failure(.create, code) }
    descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
    if descriptor >= 0 || errno != EEXIST { break }
  }
  if descriptor < 0 { throw failure(.create, errno) }

  var isOpen = true
  func abandon(_ step: FileError.Step, _ code: Int32) -> FileError {
    if isOpen { close(descriptor) }
    unlink(temporary)
    return failure(step, code)
  }
  var existing = stat()
  if stat(path, &existing) == 0 && (existing.st_mode & S_IFMT) == S_IFREG {
    _ = fchmod(descriptor, existing.st_mode & 0o7777)
  }
  let written: Int32? = data.withUnsafeBytes { raw in
    var offset = 0
    while offset < raw.count {
      if let code = injectingFailure(.write) { return code }
      let count = write(descriptor, raw.baseAddress! + offset, min(chunk, raw.count - offset))
      if count < 0 {
        if errno == EINTR { continue }
        return errno
      }
      offset += count
    }
    return nil
  }
  if let code = written { throw abandon(.write, code) }
  if let code = injectingFailure(.sync) { throw abandon(.sync, code) }
  if fsync(descriptor) != 0 { throw abandon(.sync, errno) }
  isOpen = false
  if let code = injectingFailure(.close) {
    close(descriptor)
    throw abandon(.close, code)
  }
  if close(descriptor) != 0 { throw abandon(.close, errno) }
  if let code = injectingFailure(.rename) { throw abandon(.rename, code) }
  if rename(temporary, path) != 0 { throw abandon(.rename, errno) }

  if let code = injectingFailure(.syncDirectory) { throw failure(.syncDirectory, code) }
  let directoryDescriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
  guard directoryDescriptor >= 0 else { throw failure(.syncDirectory, errno) }
  defer { close(directoryDescriptor) }
  // Some file systems cannot flush a directory (EINVAL); the rename is as durable as they allow.
  if fsync(directoryDescriptor) != 0 && errno != EINVAL { throw failure(.syncDirectory, errno) }
}

/// The directory (`.` when there is none) and the last component of `path`.
func splitPath(_ path: String) -> (directory: String, name: String) {
  guard let slash = path.lastIndex(of: "/") else { return (".", path) }
  let directory = String(path[..<slash])
  return (directory.isEmpty ? "/" : directory, String(path[path.index(after: slash)...]))
}

/// The whole content of the regular file at `path`.
func readFileContents(_ path: String) throws(FileError) -> Data {
  let descriptor = open(path, O_RDONLY | O_CLOEXEC)
  guard descriptor >= 0 else { throw FileError(path: path, step: .open, reason: String(cString: strerror(errno))) }
  defer { close(descriptor) }
  var status = stat()
  guard fstat(descriptor, &status) == 0 else {
    throw FileError(path: path, step: .read, reason: String(cString: strerror(errno)))
  }
  guard (status.st_mode & S_IFMT) == S_IFREG else {
    throw FileError(path: path, step: .notRegularFile, reason: "only regular files can be read")
  }
  var data = Data(count: Int(status.st_size))
  let result: (count: Int, error: Int32?) = data.withUnsafeMutableBytes { raw in
    var offset = 0
    while offset < raw.count {
      let count = read(descriptor, raw.baseAddress! + offset, raw.count - offset)
      if count < 0 {
        if errno == EINTR { continue }
        return (offset, errno)
      }
      if count == 0 { break }  // the file shrank since fstat
      offset += count
    }
    return (offset, nil)
  }
  if let code = result.error { throw FileError(path: path, step: .read, reason: String(cString: strerror(code))) }
  if result.count < data.count { data.removeSubrange(result.count...) }
  return data
}

/// `text` on one line and at most `limit` characters: control characters and
/// non-ASCII bytes escaped, the middle elided when it is long. Error messages
/// quote file content through it, so a message is always one printable line.
func oneLine(_ text: String, limit: Int = 80) -> String {
  var escaped = ""
  for scalar in text.unicodeScalars {
    switch scalar {
    case "\n": escaped += "\\n"
    case "\r": escaped += "\\r"
    case "\t": escaped += "\\t"
    case _ where scalar.value < 0x20 || scalar.value == 0x7F:
      escaped += "\\x" + String(scalar.value, radix: 16).leftPadded(to: 2)
    case _ where !scalar.properties.isWhitespace && scalar.properties.generalCategory != .format:
      escaped.unicodeScalars.append(scalar)
    case _ where scalar.value == 0x20:
      escaped += " "
    default:
      escaped += "\\u{" + String(scalar.value, radix: 16) + "}"
    }
  }
  guard escaped.count > limit else { return escaped }
  return String(escaped.prefix(limit - 20)) + "…" + String(escaped.suffix(19))
}

/// A byte quoted for a message: `'x'` when printable ASCII, `byte 0x0a` otherwise.
func quotedByte(_ byte: UInt8) -> String {
  (0x21..<0x7F).contains(byte)
    ? "'\(Character(UnicodeScalar(byte)))'" : "byte 0x\(String(byte, radix: 16).leftPadded(to: 2))"
}

extension String {
  /// The string with zeros in front up to `width` characters.
  func leftPadded(to width: Int) -> String {
    count >= width ? self : String(repeating: "0", count: width - count) + self
  }
}
