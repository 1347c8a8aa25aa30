import GlossProtocol

/// Decodes one sync message and checks it both ways. Returns the message, or nil when the body
/// is refused (with a well-formed `ProtocolError`).
///
/// For an accepted message:
/// - `framed()` gives a 4-byte length equal to what follows it, then the same type byte;
/// - its body is the input byte for byte (HELLO: a prefix of the input, since a HELLO may carry
///   fields of a later version, which are dropped);
/// - decoding that body again gives an equal message.
///
/// A deflated CHANGES (type 7) decodes to a CHANGES: its plain frame and the reference's own
/// deflated frame both decode back to it (the input's compressed bytes are one of many).
@discardableResult
public func checkMessage(type: UInt8, body: ArraySlice<UInt8>) -> SyncMessage? {
    let message: SyncMessage
    do {
        message = try SyncMessage(type: type, body: body)
    } catch {
        requireWellFormed(error, inputEnd: body.endIndex, "SyncMessage(type: \(type))")
        return nil
    }
    if type == SyncMessage.Kind.changesDeflated.rawValue {
        require(message.kind == .changes, "a deflated CHANGES decoded to \(message.kind)")
        for frame in [message.framed(), message.framedDeflated()] {
            let again = try? SyncMessage(type: frame[4], body: frame[5...])
            require(again == message, "a deflated CHANGES does not survive its own encoding (type \(frame[4]))")
        }
        return message
    }
    let framed = message.framed()
    require(framed.count >= 5, "framed \(message.kind) is \(framed.count) bytes, shorter than a length and a type")
    let length = framed[0..<4].reduce(0) { $0 << 8 | Int($1) }
    require(length == framed.count - 4, "framed \(message.kind) says \(length) bytes but carries \(framed.count - 4)")
    require(framed[4] == type, "framed \(message.kind) has type \(framed[4]), decoded from type \(type)")
    let encodedBody = framed[5...]
    if message.kind == .hello {
        require(body.starts(with: encodedBody), "re-encoded HELLO is not a prefix of the body it was decoded from")
    } else {
        require(encodedBody.elementsEqual(body), "re-encoded \(message.kind) differs from the body it was decoded from")
    }
    do {
        let again = try SyncMessage(type: type, body: encodedBody)
        require(again == message, "\(message.kind) decoded from its own encoding differs: \(again) != \(message)")
    } catch {
        require(false, "\(message.kind) fails to decode from its own encoding: \(error)")
    }
    return message
}
