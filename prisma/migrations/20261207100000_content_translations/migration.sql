-- Course titles, descriptions and places in the household's language (Italian stays the fallback).
ALTER TABLE "Course" ADD COLUMN "translations" JSONB NOT NULL DEFAULT '{}';
ALTER TABLE "CourseSession" ADD COLUMN "translations" JSONB NOT NULL DEFAULT '{}';
