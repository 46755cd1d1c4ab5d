#!/usr/bin/python3
"""Independent note count for .mxl files (stdlib only): <note> elements that
are not rests, grace or cue notes and do not stop a tie, per part, in
written order. Cross-checks tests/io/test_musicxml_read.c."""
import sys, zipfile, xml.etree.ElementTree as ET
for path in sys.argv[1:]:
    z = zipfile.ZipFile(path)
    name = [n for n in z.namelist() if not n.startswith('META-INF') and n.endswith('.xml')][0]
    root = ET.fromstring(z.read(name))
    total = 0; per = []
    for part in root.iter('part'):
        n = 0
        for note in part.iter('note'):
            if note.find('rest') is not None or note.find('grace') is not None or note.find('cue') is not None: continue
            if any(t.get('type') == 'stop' for t in note.findall('tie')): continue
            n += 1
        per.append(n); total += n
    rep = len(root.findall('.//repeat'))
    print(path.split('/')[-1], total, per, 'repeats', rep)
