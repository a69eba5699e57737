using System;
using System.IO;

namespace KdDsl.Training;

/// <summary>
/// Writes a file so that a run killed at any moment leaves either the old file or the complete new one: the content goes to a
/// temporary file beside the target, which is then renamed over it.
/// </summary>
public static class AtomicFile
{
    /// <summary>Creates the folder if needed, lets <paramref name="write"/> fill a temporary path, then renames it to <paramref name="path"/>.</summary>
    public static void Write(string path, Action<string> write)
    {
        string full = Path.GetFullPath(path);
        string? folder = Path.GetDirectoryName(full);
        if (!string.IsNullOrEmpty(folder)) Directory.CreateDirectory(folder);
        string temporary = full + ".tmp-" + Guid.NewGuid().ToString("N");
        try
        {
            write(temporary);
            File.Move(temporary, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary)) File.Delete(temporary);
        }
    }
}
