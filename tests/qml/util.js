.pragma library
// Helpers shared by the tst_*.qml files.

// An ArrayBuffer holding `bytes` (an array of numbers, or a string's character codes).
function buffer(bytes) {
    if (typeof bytes === "string")
        bytes = Array.prototype.map.call(bytes, c => c.charCodeAt(0));
    const result = new ArrayBuffer(bytes.length);
    const view = new Uint8Array(result);
    for (let i = 0; i < bytes.length; ++i)
        view[i] = bytes[i];
    return result;
}

// The bytes of an ArrayBuffer as an array of numbers ("not an ArrayBuffer" otherwise, so that
// a compare() against the expected bytes fails and says why).
function bytes(value) {
    if (!(value instanceof ArrayBuffer))
        return "not an ArrayBuffer: " + JSON.stringify(value);
    return Array.prototype.slice.call(new Uint8Array(value));
}

// The argument lists of the `event(name, args)` signals a SignalSpy recorded for `name`.
function eventArgs(spy, name) {
    const result = [];
    for (let i = 0; i < spy.count; ++i) {
        if (spy.signalArguments[i][0] === name)
            result.push(spy.signalArguments[i][1]);
    }
    return result;
}
