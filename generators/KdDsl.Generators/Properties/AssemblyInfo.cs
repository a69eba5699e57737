using System.Runtime.CompilerServices;

// The tests check internal pieces directly (e.g. that every teacher-relevant setting changes the teacher fingerprint).
[assembly: InternalsVisibleTo("KdDsl.Generators.Tests")]
