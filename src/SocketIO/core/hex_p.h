// Hexadecimal digits, read by the HTTP front (chunk sizes) and the JSON parser (\u escapes).
#pragma once

namespace SocketIO {

// The value of a hexadecimal digit, or -1 for any other character.
constexpr int hexValue(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

} // namespace SocketIO
