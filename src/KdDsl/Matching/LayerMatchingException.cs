using System;

namespace KdDsl.Matching;

/// <summary>A layer map that does not fit the models as built; thrown before any training step.</summary>
public sealed class LayerMatchingException : InvalidOperationException
{
    /// <summary>Creates the exception with its message.</summary>
    public LayerMatchingException(string message) : base(message)
    {
    }
}
