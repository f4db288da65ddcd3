#!/usr/bin/env python3
"""Builds the API reference and fails on undocumented public API.

usage: check-docs.py DOXYGEN DOXYFILE OUTPUT_DIR SOURCE_DIR

Runs Doxygen, then prints one "file:line: ..." line per problem: Doxygen's warnings
(undocumented classes, functions, properties, signals, enums, typedefs and fields; comments
that match no declaration) and the enum values without documentation, which Doxygen does not
report itself. Exits 1 when there is any.
"""
import glob
import os
import subprocess
import sys
import xml.etree.ElementTree as ET

doxygen, doxyfile, output, sources = sys.argv[1:5]
log = os.path.join(output, 'warnings.log')
if os.path.exists(log):
    os.remove(log)
if subprocess.call([doxygen, doxyfile], cwd=output) != 0:
    sys.exit('doxygen failed')
problems = [line.rstrip('\n') for line in open(log, encoding='utf-8') if line.strip()]


def described(element):
    return any(''.join(element.find(tag).itertext()).strip()
               for tag in ('briefdescription', 'detaileddescription')
               if element.find(tag) is not None)


for path in sorted(glob.glob(os.path.join(output, 'xml', '*.xml'))):
    root = ET.parse(path).getroot()
    for compound in root.iter('compounddef'):
        scope = compound.findtext('compoundname')
        for enum in compound.iter('memberdef'):
            if enum.get('kind') != 'enum':
                continue
            location = enum.find('location')
            where = '%s:%s' % (os.path.join(sources, location.get('file')), location.get('line'))
            for value in enum.iter('enumvalue'):
                if not described(value):
                    problems.append('%s: warning: Enum value %s::%s::%s is not documented.'
                                    % (where, scope, enum.findtext('name'),
                                       value.findtext('name')))

seen = set()
unique = [p for p in problems if not (p in seen or seen.add(p))]
for problem in unique:
    print(problem)
print('API reference: %s/html/index.html' % output)
if unique:
    print('%d documentation problem(s): every public class, function, property, signal, enum, '
          'enum value and field needs a /*! ... */ block (see docs/CMakeLists.txt)' % len(unique))
    sys.exit(1)
