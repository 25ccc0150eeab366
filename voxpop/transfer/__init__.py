"""Import of old comments and export of everything (PRODUCT.md 3.5).

    voxpop import disqus|wordpress|isso FILE --desk KEY   commands.import_run
        xmlstream.py     streaming, hostile-input-safe XML reading (no DTD, no entities, no network)
        disqus.py, wordpress.py, isso.py   one reader per old system -> records.SourceComment
        plaintext.py     HTML and Markdown -> plain text (G2)
        importer.py      SourceComments -> stories, comments, revisions, decisions; ImportedItem
                         (models.py) makes a second run add nothing
    voxpop export [FILE]        export.py: everything as JSON lines, by natural keys
    voxpop import voxpop FILE   restore.py: that file back into an empty database
"""
