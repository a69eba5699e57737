using Microsoft.CodeAnalysis;

namespace KdDsl.Generators.Diagnostics;

// [Normalize] and [Augment] (KD0043-KD0046): statistics that do not fit the data, augmentation of data that are not images,
// augmentation with a teacher-output cache, and a flip that changes what a digit means.
internal static partial class DiagnosticDescriptors
{
    public static readonly DiagnosticDescriptor NormalizationStatisticsMismatch = Error(
        "KD0043", "Normalization statistics do not fit",
        "[Normalize] {0}; give one mean and one std per {1}");

    public static readonly DiagnosticDescriptor AugmentationNeedsImages = Error(
        "KD0044", "Augmentation needs images",
        "[Augment] crops and flips images, but {0}; remove [Augment] or train on images");

    public static readonly DiagnosticDescriptor AugmentationWithCachedTeacher = Error(
        "KD0045", "Augmentation makes cached teacher outputs stale",
        "Teacher.CacheOutputs = {0} with [Augment]: the cache holds the teacher's outputs for the un-augmented training images, but every step trains on augmented ones; remove CacheOutputs (the teacher then runs on each augmented batch) or remove [Augment]");

    public static readonly DiagnosticDescriptor FlipChangesMeaning = Warning(
        "KD0046", "Horizontal flip of digits",
        "Augment.HorizontalFlip mirrors the images of {0}, and a mirrored digit is not the same digit (or no digit); remove HorizontalFlip");
}
