using System;
using System.IO;
using System.Threading;
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

    /// <summary>
    /// Takes the exclusive lock of the checkpoint at <paramref name="path"/> (the file <c>{path}.lock</c>, created beside it),
    /// waiting while another holder has it: whoever holds it trains and saves the teacher, and the others, once they get it, find
    /// the file and load it. Processes that start together (sweep shards, Slurm array tasks on one file system) so train each
    /// teacher once. The lock is the operating system's (<c>flock</c> on Linux, through <see cref="FileShare.None"/>): a holder
    /// that dies releases it, so a killed shard never blocks the others. Disposing the result deletes the lock file and releases
    /// it; a waiter that then gets the lock of the deleted file only re-checks the checkpoint, and a run arriving later finds the
    /// checkpoint before it asks for a lock.
    /// </summary>
    /// <param name="path">The checkpoint file.</param>
    public static IDisposable Lock(string path)
    {
        string lockPath = Path.GetFullPath(path) + ".lock";
        string? folder = Path.GetDirectoryName(lockPath);
        if (!string.IsNullOrEmpty(folder)) Directory.CreateDirectory(folder);
        while (true)
        {
            try
            {
                return new Held(lockPath, new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None));
            }
            catch (IOException) when (File.Exists(lockPath))
            {
                Thread.Sleep(100); // held by another process (or another run in this one): it is training the teacher
            }
        }
    }

    private sealed class Held(string path, FileStream stream) : IDisposable
    {
        public void Dispose()
        {
            try
            {
                File.Delete(path); // while still holding it: nobody can take it in between
            }
            finally
            {
                stream.Dispose();
            }
        }
    }
}
