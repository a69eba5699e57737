using Microsoft.CodeAnalysis;

namespace KdDsl.Generators.Diagnostics;

// Several teachers, [Teacher(..., Name = ...)] repeated (KD0065-KD0070): names missing or repeated, a term naming no declared teacher,
// a term that cannot read the teacher it names (or the ensemble), ensemble weights that do not fit, features that one teacher
// alone supports, and a teacher no term reads.
internal static partial class DiagnosticDescriptors
{
    public static readonly DiagnosticDescriptor TeacherNameMissingOrRepeated = Error(
        "KD0065", "Teacher name missing or repeated",
        "With several [Teacher] attributes each needs its own Name, and {0}; give every teacher a distinct Name (e.g. Name = \"a\")");

    public static readonly DiagnosticDescriptor UnknownTeacherName = Error(
        "KD0066", "Term names no declared teacher",
        "Teacher = \"{0}\" names no declared teacher; the teachers are {1}; did you mean \"{2}\"?");

    public static readonly DiagnosticDescriptor TermCannotReadTeacher = Error(
        "KD0067", "Term cannot read this teacher",
        "{0} cannot read {1}: {2}");

    public static readonly DiagnosticDescriptor EnsembleWeightsInvalid = Error(
        "KD0068", "Teacher ensemble weights do not fit",
        "TeacherEnsemble.Weights {0}; give one finite weight >= 0 per declared teacher, in declaration order, with a positive sum");

    public static readonly DiagnosticDescriptor NotWithSeveralTeachers = Error(
        "KD0069", "Not supported with several teachers",
        "{0} is not supported with several teachers: {1}; declare one teacher, or remove {0}");

    public static readonly DiagnosticDescriptor TeacherReadByNoTerm = Warning(
        "KD0070", "Teacher read by no term",
        "{0} is read by no term; {1}");
}
