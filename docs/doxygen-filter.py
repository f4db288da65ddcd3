#!/usr/bin/env python3
"""Doxygen's INPUT_FILTER for the library's .cpp files.

Passes on only what documents the public API: the /*! ... */ blocks, the definition line(s)
right under a block that has no topic command (\\fn, \\class, ...), as a declaration, and the
named namespaces around them. The rest becomes blank lines, so that line numbers hold and the
implementation (private classes, helpers, lambdas) never reaches Doxygen's C++ parser.
"""
import re
import sys

TOPIC = re.compile(r'\\(fn|class|struct|union|property|enum|var|variable|typedef|namespace|'
                   r'headerfile|page|mainpage|module|macro|def|file|group|defgroup)\b')
NAMESPACE = re.compile(r'^(namespace [A-Za-z_][\w:]* \{|\} // namespace [A-Za-z_])')

lines = open(sys.argv[1], encoding='utf-8').read().split('\n')
out = [''] * len(lines)
i = 0
while i < len(lines):
    line = lines[i]
    if NAMESPACE.match(line):
        out[i] = line
        i += 1
        continue
    if not line.lstrip().startswith('/*!'):
        i += 1
        continue
    start = i
    while i < len(lines) and '*/' not in lines[i]:
        i += 1
    out[start:i + 1] = lines[start:i + 1]
    topic = TOPIC.search('\n'.join(lines[start:i + 1]))
    i += 1
    if topic:
        continue
    # The definition the block documents: its signature, up to the body or the initializers.
    while i < len(lines) and not lines[i].strip():
        i += 1
    while i < len(lines):
        text = lines[i]
        if text.lstrip().startswith(':'):
            out[i - 1] += ';'
            break
        if '{' in text:
            out[i] = text[:text.index('{')].rstrip() + ';'
            break
        out[i] = text
        if text.rstrip().endswith(';'):
            break
        i += 1
    i += 1
sys.stdout.write('\n'.join(out))
