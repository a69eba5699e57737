using Microsoft.CodeAnalysis;

namespace KdDsl.Generators.Diagnostics;

// The top-k teacher store, [Teacher(CacheOutputs = TeacherOutputCaching.SparseTopK, CacheTopK = k)] (KD0057-KD0060): its options
// without the store, a missing or invalid k, a term or feature the store cannot serve (decided by the loss catalog's TeacherInput),
// and a k that keeps every class.
internal static partial class DiagnosticDescriptors
{
    public static readonly DiagnosticDescriptor TopKStoreOptionWithoutStore = Error(
        "KD0057", "Top-k store option without the top-k store",
        "Teacher.{0} applies only to CacheOutputs = TeacherOutputCaching.SparseTopK, and CacheOutputs is {1}; remove {0}, or keep only the top-k logits with CacheOutputs = TeacherOutputCaching.SparseTopK");

    public static readonly DiagnosticDescriptor TopKStoreSizeInvalid = Error(
        "KD0058", "Top-k store size missing or out of range",
        "Teacher.CacheTopK {0}; CacheOutputs = TeacherOutputCaching.SparseTopK keeps each sample's k >= 1 largest teacher logits, so give k (e.g. CacheTopK = 64)");

    public static readonly DiagnosticDescriptor TopKStoreCannotServe = Error(
        "KD0059", "Top-k teacher store cannot serve this",
        "{0} needs {1}, which the top-k teacher store (CacheOutputs = TeacherOutputCaching.SparseTopK) does not keep; {2}");

    public static readonly DiagnosticDescriptor TopKStoreKeepsEveryClass = Warning(
        "KD0060", "Top-k store keeps every class",
        "Teacher.CacheTopK = {0} keeps all {1} classes of the data set, so the store holds every logit and its index: more than the dense cache; lower CacheTopK or use CacheOutputs = TeacherOutputCaching.Disk");
}
