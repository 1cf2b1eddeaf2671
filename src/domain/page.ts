export interface PageRequest {
  skip: number;
  limit: number;
}

export interface Page<T> {
  items: T[];
  skip: number;
  limit: number;
  total: number;
}
