import {
  DeleteBucketCommand,
  DeleteObjectsCommand,
  ListObjectsV2Command,
  type S3Client,
} from "@aws-sdk/client-s3";

/**
 * Deletes every object in `bucket`, then the bucket; a missing bucket is fine. An operator-level
 * clean-up for throwaway namespaces (tests, benchmarks), deliberately outside the tenant-scoped
 * `BlobStore`: it works on a whole bucket, never on a tenant's keys.
 */
export async function emptyAndDeleteBucket(s3: S3Client, bucket: string): Promise<void> {
  try {
    let token: string | undefined;
    do {
      const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
      const keys = (page.Contents ?? []).flatMap((o) => (o.Key ? [{ Key: o.Key }] : []));
      if (keys.length > 0)
        await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys } }));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    await s3.send(new DeleteBucketCommand({ Bucket: bucket }));
  } catch (err) {
    if ((err as { name?: string }).name !== "NoSuchBucket") throw err;
  }
}
