using System;
using System.IO;
using TorchSharp;
using static TorchSharp.torch;

namespace KdDsl.Training;

/// <summary>Loads a teacher from a checkpoint, or saves it atomically so a killed run never leaves a half-written file.</summary>
public static class TeacherCheckpoint
{
    /// <summary>Whether a checkpoint exists at <paramref name="path"/>.</summary>
    public static bool Exists(string? path) => !string.IsNullOrEmpty(path) && File.Exists(path);

    /// <summary>Loads the weights at <paramref name="path"/> into <paramref name="model"/>; throws naming the file when they do not fit.</summary>
    public static void Load(nn.Module model, string path, string modelType)
    {
        try
        {
            model.load(path);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new InvalidOperationException(
                $"Teacher checkpoint '{Path.GetFullPath(path)}' could not be loaded into {modelType}: {e.Message} " +
                "Delete the file to retrain the teacher, or point Checkpoint at a file saved from this model type.", e);
        }
    }

    /// <summary>Saves <paramref name="model"/> to a temporary file beside <paramref name="path"/>, then renames it into place.</summary>
    public static void SaveAtomically(nn.Module model, string path) => AtomicFile.Write(path, temporary => model.save(temporary));
}
