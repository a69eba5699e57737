using System;

namespace KdDsl.Data;

/// <summary>A data file or tensor is missing, corrupt, or does not fit the experiment; the message says which and what was expected.</summary>
public sealed class DatasetException : Exception
{
    /// <summary>Creates the exception.</summary>
    public DatasetException(string message, Exception? inner = null) : base(message, inner) { }
}
