#!/usr/bin/env bash
# The most copied Amplify release script (opengovsg/postmangovsg scripts/amplify-deploy.sh and
# its copies), with jq replaced by the CLI's own --query so that it needs only the aws command.
# It works against the real service in production CI: polling code there never sees
# PROVISIONING, and the fake must let it end SUCCEED too. Usage: amplify-deploy.sh APP BRANCH
echo "Deploy branch $2"
JOB_ID=$(aws amplify start-job --app-id $1 --branch-name $2 --job-type RELEASE --query 'jobSummary.jobId' --output text)
echo "Release started"
echo "Job ID is $JOB_ID"
if [ -z "$JOB_ID" ]
then exit 1
fi

while [[ "$(aws amplify get-job --app-id $1 --branch-name $2 --job-id $JOB_ID --query 'job.summary.status' --output text)" =~ ^(PENDING|RUNNING)$ ]]; do sleep "${POLL_SECONDS:-1}"; done
JOB_STATUS="$(aws amplify get-job --app-id $1 --branch-name $2 --job-id $JOB_ID --query 'job.summary.status' --output text)"
echo "Job finished"
echo "Job status is $JOB_STATUS"
if [ "$JOB_STATUS" != "SUCCEED" ]
then exit 1
fi
